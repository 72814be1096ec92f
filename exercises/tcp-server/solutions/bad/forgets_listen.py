# netgrade-expect: fail all
# Bug: bind() but no listen(): accept() raises "Invalid argument" and the program ends.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
connfd, addr = sockfd.accept()
