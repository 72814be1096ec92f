# netgrade-expect: fail 2 3 4
# Bug: decodes what arrives and saves it with print(..., file=f) in text mode: print adds a
# "\n" at the end, and bytes that are not text crash the decode.
import sys
from socket import *

name = sys.argv[1]

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(('127.0.0.1', 8888))
sockfd.send((name + "\n").encode())

data = b""
while True:
    piece = sockfd.recv(1024)
    if not piece:
        break
    data += piece
sockfd.close()

with open(name, "w", encoding="utf-8") as f:
    print(data.decode(), file=f)
