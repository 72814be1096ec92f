# netgrade-expect: fail 5
# Bug: sends first and checks afterwards, so the empty line goes out as an empty datagram.
from socket import *

ADDR = ("127.0.0.1", 8888)
sockfd = socket(AF_INET, SOCK_DGRAM)
while True:
    data = input("Msg>>")
    sockfd.sendto(data.encode(), ADDR)
    if not data:
        break
    msg, addr = sockfd.recvfrom(1024)
    print("Server:", msg.decode())
sockfd.close()
