# netgrade-expect: pass
# A correct server written with asyncio: every client is a task; each reply comes after an
# `await asyncio.sleep(0.2)` (a timer, so the program is busy, not waiting for input) and
# ends with "\n", so a client knows it is complete.
import asyncio


async def serve(reader, writer):
    while True:
        data = await reader.read(1024)
        if not data:
            break
        await asyncio.sleep(0.2)
        writer.write(b"Thanks\n")
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 8888)
    async with server:
        await server.serve_forever()


asyncio.run(main())
