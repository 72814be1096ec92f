# netgrade-expect: fail all
# Bug: replies "Thanks\n": one byte more than the exercise asks for.
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))
while True:
    data, addr = sockfd.recvfrom(65535)
    print(data.decode())
    sockfd.sendto(b"Thanks\n", addr)
