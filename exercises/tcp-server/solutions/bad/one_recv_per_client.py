# netgrade-expect: fail 2 fragile 9
# Bug: one recv per connection ("one recv == one message"), then the connection is closed.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    print("Connect from", addr)
    data = connfd.recv(1024)
    if data:
        print("Receive message:", data.decode())
        connfd.send(b"Thanks")
    connfd.close()
