# netgrade-expect: pass
# A correct echo server: loop on recv() and sendall() until the client closes.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('0.0.0.0', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    print("Connect from", addr)
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        connfd.sendall(data)
    connfd.close()
