# netgrade-expect: pass fragile 4
# The course's own UDP server: recvfrom(1024). Full marks; test 4 shows it "works here, but
# fragile": a 4 KiB datagram is cut to its first 1024 bytes without any error.
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))
while True:
    data, addr = sockfd.recvfrom(1024)
    print("收到：", data.decode())
    sockfd.sendto(b"Thanks", addr)
