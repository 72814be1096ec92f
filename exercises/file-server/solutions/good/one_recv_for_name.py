# netgrade-expect: pass fragile 6
# The course's style: one recv(1024) for the name. It works on one machine, where a short
# line arrives whole, so it gets full marks; a name that arrives in two pieces is cut, which
# test 6 shows as "works here, but fragile".
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    name = connfd.recv(1024).decode().strip()
    print("Connect from", addr, "file:", name)
    try:
        with open(name, "rb") as f:
            connfd.sendall(f.read())
    except OSError:
        connfd.send(b"ERROR\n")
    connfd.close()
