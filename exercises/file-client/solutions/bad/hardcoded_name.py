# netgrade-expect: fail 3 4
# Bug: always asks for and saves "hello.txt" instead of the name it is started with.
from socket import *

name = "hello.txt"

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(('127.0.0.1', 8888))
sockfd.send((name + "\n").encode())

data = b""
while True:
    piece = sockfd.recv(1024)
    if not piece:
        break
    data += piece
sockfd.close()

with open(name, "wb") as f:
    f.write(data)
