# netgrade-expect: fail all
# Bug: a syntax error (missing colon); Python stops before running anything.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)
while True
    connfd, addr = sockfd.accept()
