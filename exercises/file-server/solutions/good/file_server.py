# netgrade-expect: pass
# A correct file server as the course writes it: recv until the name's "\n" has arrived, open
# the file in binary mode ("rb"), send it in 1024-byte pieces, close; ERROR for a missing file.
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    print("Connect from", addr)
    request = b""
    while b"\n" not in request:
        data = connfd.recv(1024)
        if not data:
            break
        request += data
    name = request.split(b"\n")[0].decode().strip()
    print("File:", name)
    try:
        f = open(name, "rb")
    except FileNotFoundError:
        connfd.send(b"ERROR\n")
    else:
        while True:
            data = f.read(1024)
            if not data:
                break
            connfd.sendall(data)
        f.close()
    connfd.close()
