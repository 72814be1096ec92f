# netgrade-expect: fail 4 6
# Bug: no try/except: an unknown name raises OSError and the program dies.
import socket

while True:
    name = input("service> ")
    if not name:
        break
    print(socket.getservbyname(name))
