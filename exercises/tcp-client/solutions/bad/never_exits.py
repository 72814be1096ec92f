# netgrade-expect: fail 4 5
# Bug: an empty line is skipped instead of ending the loop: the connection is never closed
# and the program never exits.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(("127.0.0.1", 8888))
while True:
    msg = input("Msg>>")
    if not msg:
        continue
    sockfd.send(msg.encode())
    data = b""
    while not data.endswith(b"\n"):
        data += sockfd.recv(1024)
    print("Server:", data.decode().strip())
