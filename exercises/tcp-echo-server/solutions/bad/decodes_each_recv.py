# netgrade-expect: fail 3 8
# Bug: decodes every recv() as UTF-8 to print it, then sends the text encoded again. Whole
# messages of text pass; bytes that are not UTF-8, or a Chinese character split between two
# recv() calls, crash the server (UnicodeDecodeError).
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(("127.0.0.1", 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        text = data.decode()
        print("Received:", text)
        connfd.sendall(text.encode())
    connfd.close()
