# netgrade-expect: fail all
# Bug: connects to port 8889 instead of the exercise's 8888: connection refused.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(("127.0.0.1", 8889))
while True:
    msg = input("Msg>>")
    if not msg:
        break
    sockfd.send(msg.encode())
    print("Server:", sockfd.recv(1024).decode())
sockfd.close()
