# netgrade-expect: fail all
# Cheat: answers every line with a packed form, a dotted form and "error", one per line.
import socket

while True:
    text = input("> ")
    if not text:
        break
    try:
        print(socket.inet_aton(text).hex(" "))
    except OSError:
        print("00 00 00 00")
    print("0.0.0.0")
    print("error")
