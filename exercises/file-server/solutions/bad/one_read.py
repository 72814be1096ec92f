# netgrade-expect: fail 3
# Bug: one f.read(1024) and one send: small files fit, the 64 KiB file is cut to its first
# 1024 bytes.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    request = b""
    while b"\n" not in request:
        data = connfd.recv(1024)
        if not data:
            break
        request += data
    name = request.decode().strip()
    try:
        f = open(name, "rb")
    except FileNotFoundError:
        connfd.send(b"ERROR\n")
    else:
        connfd.send(f.read(1024))
        f.close()
    connfd.close()
