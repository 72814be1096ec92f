# netgrade-expect: fail 2 4 5 8
# Bug: "one recv == one message": echoes what the first recv(1024) returns, then closes.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    data = connfd.recv(1024)
    connfd.send(data)
    connfd.close()
