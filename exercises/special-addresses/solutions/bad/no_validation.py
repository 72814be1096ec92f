# netgrade-expect: fail 4 6
# Bug: never checks that the input is an address: "1.2.3" is a host, "localhost" crashes.
while True:
    text = input("address> ")
    if not text:
        break
    last = int(text.split(".")[-1])
    if text == "127.0.0.1":
        print("loopback")
    elif text == "0.0.0.0":
        print("any")
    elif last == 0:
        print("network")
    elif last == 1:
        print("gateway")
    elif last == 255:
        print("broadcast")
    else:
        print("host")
