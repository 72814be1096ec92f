# netgrade-expect: fail 5
# Bug: an empty line is skipped instead of ending the program, so it never exits.
while True:
    text = input("port> ")
    if not text.strip():
        continue
    if not text.isdigit():
        print("invalid")
    elif 1 <= int(text) <= 255:
        print("well-known")
    elif 256 <= int(text) <= 1023:
        print("system")
    elif 1024 <= int(text) <= 65535:
        print("user")
    else:
        print("invalid")
