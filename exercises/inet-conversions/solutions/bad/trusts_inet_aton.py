# netgrade-expect: fail 4 6
# Bug: relies on socket.inet_aton to reject bad input; it accepts "1.2.3" (as 1.2.0.3).
import socket

while True:
    text = input("IP> ")
    if not text:
        break
    try:
        print(socket.inet_aton(text).hex(" "))
    except OSError:
        try:
            print(socket.inet_ntoa(bytes.fromhex(text)))
        except (ValueError, OSError):
            print("error")
