# netgrade-expect: fail 6
# Bug: decodes every recv() to print it before sending it on. Whole lines of text pass; a
# Chinese character split between two recv() calls raises UnicodeDecodeError, which ends that
# client's thread.
import threading
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)
clients = []


def handle(connfd, addr):
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        text = data.decode()
        print(addr, "says", text)
        for c in clients:
            if c is not connfd:
                c.send(text.encode())
    clients.remove(connfd)
    connfd.close()


while True:
    connfd, addr = sockfd.accept()
    clients.append(connfd)
    threading.Thread(target=handle, args=(connfd, addr)).start()
