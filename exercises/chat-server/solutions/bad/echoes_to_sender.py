# netgrade-expect: fail all
# Bug: sends every line to every client, the sender included, so each client gets its own
# lines back.
import threading
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)
clients = []


def handle(connfd):
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        for c in clients:
            c.send(data)
    clients.remove(connfd)
    connfd.close()


while True:
    connfd, addr = sockfd.accept()
    clients.append(connfd)
    threading.Thread(target=handle, args=(connfd,)).start()
