# netgrade-expect: fail 6
# Bug: one recv() per reply, assuming one recv() is one message: a reply in two pieces is cut.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(("127.0.0.1", 8888))
while True:
    msg = input("Msg>>")
    if not msg:
        break
    sockfd.send(msg.encode())
    data = sockfd.recv(1024)
    print("Server:", data.decode())
sockfd.close()
