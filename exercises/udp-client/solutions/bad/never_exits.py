# netgrade-expect: fail 4
# Bug: skips empty lines instead of ending, so the program never exits.
from socket import *

ADDR = ("127.0.0.1", 8888)
sockfd = socket(AF_INET, SOCK_DGRAM)
while True:
    data = input("Msg>>")
    if not data:
        continue
    sockfd.sendto(data.encode(), ADDR)
    msg, addr = sockfd.recvfrom(1024)
    print("Server:", msg.decode())
