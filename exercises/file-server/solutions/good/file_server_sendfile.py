# netgrade-expect: pass
# A correct file server in another style: reads the name with makefile().readline(), checks
# the file with os.path.isfile, sends it with socket.sendfile(), and with-blocks close both
# the file and the connection.
import os
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 8888))
server.listen()

while True:
    connection, address = server.accept()
    with connection:
        name = connection.makefile("rb").readline().decode("utf-8").strip()
        print(address, "asks for", repr(name))
        if not os.path.isfile(name):
            connection.sendall(b"ERROR\n")
            continue
        with open(name, "rb") as f:
            connection.sendfile(f)
