# netgrade-expect: fail all
# Bug: no threads and no select(): the server serves its first client until it leaves, and
# accepts the next one only then, so nobody else is there to hear the first client's lines.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)
clients = []

while True:
    connfd, addr = sockfd.accept()
    clients.append(connfd)
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        for c in clients:
            if c is not connfd:
                c.send(data)
    clients.remove(connfd)
    connfd.close()
