# netgrade-expect: pass
# A correct UDP server that waits for datagrams with select() and a one-second timeout (it
# could do other work in between): the grader must not take the timed wait for "idle".
import select
from socket import *

sockfd = socket(AF_INET, SOCK_DGRAM)
sockfd.bind(("127.0.0.1", 8888))

while True:
    readable, _, _ = select.select([sockfd], [], [], 1.0)
    if not readable:
        continue  # nothing yet: look again
    data, addr = sockfd.recvfrom(65535)
    print("收到消息：", data.decode(errors="replace"), "来自", addr)
    sockfd.sendto(b"Thanks", addr)
