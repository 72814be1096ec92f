# netgrade-expect: fail all
# Bug: uses the request as the name without taking off its "\n", so it looks for a file
# called "hello.txt\n", which does not exist: every client gets ERROR.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    name = connfd.recv(1024).decode()
    try:
        with open(name, "rb") as f:
            connfd.sendall(f.read())
    except FileNotFoundError:
        connfd.send(b"ERROR\n")
    connfd.close()
