# netgrade-expect: fail all
# Bug: sends back the message with a newline added, so the bytes are not an echo.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        connfd.send(data + b"\n")
    connfd.close()
