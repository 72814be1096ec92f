# netgrade-expect: pass
# Replies "Thanks\n": a line end after the reply is accepted (as in tcp-server).
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))
while True:
    data, addr = sockfd.recvfrom(65535)
    print(data.decode())
    sockfd.sendto(b"Thanks\n", addr)
