# netgrade-expect: fail all
# Bug: reads with sys.stdin.readline() and sends the line with its "\n": one byte too many.
import sys
from socket import *

ADDR = ("127.0.0.1", 8888)
sockfd = socket(AF_INET, SOCK_DGRAM)
while True:
    print("Msg>>", end="", flush=True)
    line = sys.stdin.readline()
    if line.strip() == "":
        break
    sockfd.sendto(line.encode(), ADDR)
    msg, addr = sockfd.recvfrom(1024)
    print("Server:", msg.decode())
