# netgrade-expect: fail 5
# Bug: treats an empty datagram like TCP's "connection closed" and stops serving.
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))
while True:
    data, addr = sockfd.recvfrom(65535)
    if not data:
        break
    print("收到：", data.decode())
    sockfd.sendto(b"Thanks", addr)
sockfd.close()
