# netgrade-expect: fail all
# Bug: sends the file but never closes the connection, so the client cannot know the file is
# complete: it keeps waiting for more.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    request = b""
    while b"\n" not in request:
        data = connfd.recv(1024)
        if not data:
            break
        request += data
    name = request.decode().strip()
    try:
        with open(name, "rb") as f:
            connfd.sendall(f.read())
    except FileNotFoundError:
        connfd.send(b"ERROR\n")
