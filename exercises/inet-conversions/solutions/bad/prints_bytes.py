# netgrade-expect: fail 1 3 4 5 6
# Bug: prints the bytes object itself (b'\xc0\xa8\x01\x02'), not the bytes in hex.
import socket

while True:
    text = input("IP> ")
    if not text:
        break
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts):
        print(socket.inet_aton(text))
    elif len(text) == 8:
        try:
            print(socket.inet_ntoa(bytes.fromhex(text)))
        except ValueError:
            print("error")
    else:
        print("error")
