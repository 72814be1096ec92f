# netgrade-expect: fail 4 6
# Bug: int() on a word raises ValueError and the program dies with a traceback.
while True:
    text = input("port> ")
    if not text:
        break
    port = int(text)
    if 1 <= port <= 255:
        print("well-known")
    elif 256 <= port <= 1023:
        print("system")
    elif 1024 <= port <= 65535:
        print("user")
    else:
        print("invalid")
