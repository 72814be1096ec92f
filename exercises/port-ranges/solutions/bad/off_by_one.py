# netgrade-expect: fail 2 6
# Bug: < instead of <= at the edges: 255 comes out as system, 1023 as user.
while True:
    text = input("port> ")
    if not text:
        break
    if not text.isdigit():
        print("invalid")
        continue
    port = int(text)
    if 1 <= port < 255:
        print("well-known")
    elif 255 <= port < 1023:
        print("system")
    elif 1023 <= port <= 65535:
        print("user")
    else:
        print("invalid")
