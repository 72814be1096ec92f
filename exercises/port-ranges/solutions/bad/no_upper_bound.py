# netgrade-expect: fail 3 6
# Bug: forgets that ports stop at 65535 and that 0 is not a port.
while True:
    text = input("port> ")
    if not text:
        break
    if not text.isdigit():
        print("invalid")
    elif int(text) <= 255:
        print("well-known")
    elif int(text) <= 1023:
        print("system")
    else:
        print("user")
