# A correct server that also reads stdin in a thread, forever.
import socket, sys, threading
threading.Thread(target=lambda: sys.stdin.read(), daemon=True).start()
server = socket.socket()
server.bind(('127.0.0.1', 8888))
server.listen(5)
while True:
    conn, addr = server.accept()
    while True:
        data = conn.recv(1024)
        if not data:
            break
        conn.send(b"Thanks")
    conn.close()
