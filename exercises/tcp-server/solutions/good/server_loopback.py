# netgrade-expect: pass fragile 9
# A correct solution, as the course writes it: bind 127.0.0.1:8888, loop on accept and recv.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    print("Waiting for connect...")
    connfd, addr = sockfd.accept()
    print("Connect from", addr)
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        print("Receive message:", data.decode())
        n = connfd.send(b"Thanks")
        print("Send %d bytes" % n)
    connfd.close()
