# netgrade-expect: fail all
# Bug: replies "Thank you" instead of the exercise's "Thanks": a different datagram.
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))
while True:
    data, addr = sockfd.recvfrom(65535)
    print(data.decode())
    sockfd.sendto(b"Thank you", addr)
