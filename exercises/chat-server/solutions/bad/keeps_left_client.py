# netgrade-expect: fail 4
# Bug: closes the connection of a client that leaves but forgets to take it out of the list:
# the next send to it raises "Bad file descriptor" in the sender's thread, which ends it, and
# the clients after it in the list hear nothing.
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
            if c is not connfd:
                c.send(data)
    connfd.close()


while True:
    connfd, addr = sockfd.accept()
    clients.append(connfd)
    threading.Thread(target=handle, args=(connfd,)).start()
