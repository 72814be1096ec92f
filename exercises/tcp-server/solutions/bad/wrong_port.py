# netgrade-expect: fail all
# Bug: listens on 8889 instead of the exercise's 8888.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8889))
sockfd.listen(5)
while True:
    connfd, addr = sockfd.accept()
    data = connfd.recv(1024)
    connfd.send(b"Thanks")
    connfd.close()
