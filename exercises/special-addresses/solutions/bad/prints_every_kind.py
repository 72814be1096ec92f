# netgrade-expect: fail 1 2 3 4 5 6
# Cheat: classifies nothing; for every address it prints every kind, one per line.
while True:
    text = input("address> ")
    if not text:
        break
    for kind in ("loopback", "any", "network", "gateway", "broadcast", "host", "invalid"):
        print(kind)
