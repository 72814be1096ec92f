# netgrade-expect: pass
# A correct client as the course writes it, receiving until the reply's newline.
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
        chunk = sockfd.recv(1024)
        if not chunk:
            break
        data += chunk
    print("Server:", data.decode().strip())

sockfd.close()
