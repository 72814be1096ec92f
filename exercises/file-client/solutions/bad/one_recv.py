# netgrade-expect: fail 3
# Bug: one recv(4096) for the whole file: a small file fits, the 48 KiB file the server sends
# in pieces is saved with only its first piece.
import sys
from socket import *

name = sys.argv[1]

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(('127.0.0.1', 8888))
sockfd.send((name + "\n").encode())
data = sockfd.recv(4096)
sockfd.close()

with open(name, "wb") as f:
    f.write(data)
