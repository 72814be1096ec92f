# netgrade-expect: pass
# A correct solution with the socket module, checking the four parts before inet_aton.
import socket


def is_dotted_quad(text):
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part.isdigit() or int(part) > 255 or (len(part) > 1 and part[0] == "0"):
            return False
    return True


def is_hex8(text):
    return len(text) == 8 and all(c in "0123456789abcdefABCDEF" for c in text)


while True:
    text = input("IP> ")
    if not text:
        break
    if is_dotted_quad(text):
        print(socket.inet_aton(text).hex(" "))
    elif is_hex8(text):
        print(socket.inet_ntoa(bytes.fromhex(text)))
    else:
        print("error")
