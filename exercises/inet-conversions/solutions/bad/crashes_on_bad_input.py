# netgrade-expect: fail 4 6
# Bug: no error handling: inet_aton raises OSError on "256.1.1.1" and the program dies.
import socket

while True:
    text = input("IP> ")
    if not text:
        break
    if "." in text:
        print(socket.inet_aton(text).hex(" "))
    else:
        print(socket.inet_ntoa(bytes.fromhex(text)))
