# netgrade-expect: fail 4 5 7 8 fragile 9
# Bug: no loop around accept(): the server serves one client, then the program ends.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

connfd, addr = sockfd.accept()
print("Connect from", addr)
while True:
    data = connfd.recv(1024)
    if not data:
        break
    print("Receive message:", data.decode())
    connfd.send(b"Thanks")
connfd.close()
sockfd.close()
