# netgrade-expect: fail all
# Bug: prints the message it sent instead of the server's reply (it still receives the reply,
# but never shows it).
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(("127.0.0.1", 8888))
while True:
    msg = input("Msg>>")
    if not msg:
        break
    sockfd.send(msg.encode())
    data = b""
    while not data.endswith(b"\n"):
        data += sockfd.recv(1024)
    print("Server:", msg)
sockfd.close()
