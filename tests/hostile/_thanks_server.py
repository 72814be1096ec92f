# Shared by the hostile programs that misbehave and then serve correctly: the course's TCP
# server on 127.0.0.1:8888 (netgrade stages a script with its folder, so neighbours import).
import socket


def serve_forever():
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
