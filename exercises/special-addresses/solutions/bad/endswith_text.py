# netgrade-expect: fail 3 6
# Bug: looks at how the text ends instead of at the last number: 10.20.30.11 ends in "1".
while True:
    text = input("address> ")
    if not text:
        break
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 for p in parts):
        print("invalid")
    elif text == "127.0.0.1":
        print("loopback")
    elif text == "0.0.0.0":
        print("any")
    elif text.endswith("255"):
        print("broadcast")
    elif text.endswith("0"):
        print("network")
    elif text.endswith("1"):
        print("gateway")
    else:
        print("host")
