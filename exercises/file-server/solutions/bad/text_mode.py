# netgrade-expect: fail 3
# Bug: opens the file in text mode and sends text.encode(). Text files pass; the binary file
# is not UTF-8, so read() raises UnicodeDecodeError and the server crashes.
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
        f = open(name)
    except FileNotFoundError:
        connfd.send(b"ERROR\n")
    else:
        text = f.read()
        f.close()
        connfd.sendall(text.encode())
    connfd.close()
