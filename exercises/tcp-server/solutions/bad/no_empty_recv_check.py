# netgrade-expect: fail 4 5 6 7 8 fragile 9
# Bug: never checks for recv() returning b'' (the client closed), so it keeps "replying" to a
# closed connection until send() fails and the whole server crashes.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    print("Connect from", addr)
    while True:
        data = connfd.recv(1024)
        print("Receive message:", data.decode())
        connfd.send(b"Thanks")
