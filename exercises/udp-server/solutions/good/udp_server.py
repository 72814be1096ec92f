# netgrade-expect: pass
# A correct UDP server as the course writes it (with a buffer big enough for any datagram).
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))

while True:
    data, addr = sockfd.recvfrom(65535)
    print("收到消息：", data.decode(), "来自", addr)
    sockfd.sendto(b"Thanks", addr)
