# netgrade-expect: fail 1 2 6
# Bug: checks the last number first, so 127.0.0.1 is a "gateway" and 0.0.0.0 a "network".
while True:
    text = input("address> ")
    if not text:
        break
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 for p in parts):
        print("invalid")
    elif parts[3] == "0":
        print("network")
    elif parts[3] == "1":
        print("gateway")
    elif parts[3] == "255":
        print("broadcast")
    elif text == "127.0.0.1":
        print("loopback")
    elif text == "0.0.0.0":
        print("any")
    else:
        print("host")
