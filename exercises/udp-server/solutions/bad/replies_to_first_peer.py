# netgrade-expect: fail 3 5
# Bug: remembers the address of the first peer and sends every reply there.
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))
client = None
while True:
    data, addr = sockfd.recvfrom(65535)
    if client is None:
        client = addr
    print("收到：", data.decode())
    sockfd.sendto(b"Thanks", client)
