# netgrade-expect: fail 3 8
# Bug: decodes every recv() as UTF-8 text and encodes it again: bytes that are not text are
# changed (or crash the connection).
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        text = data.decode(errors="replace")
        connfd.sendall(text.encode())
    connfd.close()
