# netgrade-expect: pass
# A correct download client as the course writes it: the name from sys.argv[1], send it with
# "\n", recv(1024) until the server closes (b""), then save the bytes with open(name, "wb").
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

f = open(name, "wb")
f.write(data)
f.close()
print("Saved", len(data), "bytes as", name)
