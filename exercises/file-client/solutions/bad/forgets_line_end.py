# netgrade-expect: fail all
# Bug: sends the name without "\n": the server cannot know the name is complete, so it keeps
# waiting for the rest of it while the client waits for the file.
import sys
from socket import *

name = sys.argv[1]

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(('127.0.0.1', 8888))
sockfd.send(name.encode())

data = b""
while True:
    piece = sockfd.recv(1024)
    if not piece:
        break
    data += piece
sockfd.close()

with open(name, "wb") as f:
    f.write(data)
