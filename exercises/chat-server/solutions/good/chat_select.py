# netgrade-expect: pass
# A correct chat server without threads: one select() over the listening socket and every
# connection. Lines are collected until "\n" and sent on whole, decoded only to print them.
import select
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 8888))
server.listen()

pending = {}  # connection -> bytes received but not yet a whole line

while True:
    readable, _, _ = select.select([server, *pending], [], [])
    for sock in readable:
        if sock is server:
            connection, address = server.accept()
            pending[connection] = b""
            print(address, "joined")
            continue
        data = sock.recv(4096)
        if not data:
            del pending[sock]
            sock.close()
            continue
        pending[sock] += data
        while b"\n" in pending[sock]:
            line, _, pending[sock] = pending[sock].partition(b"\n")
            print("line:", line.decode("utf-8", errors="replace"))
            for other in pending:
                if other is not sock:
                    other.sendall(line + b"\n")
