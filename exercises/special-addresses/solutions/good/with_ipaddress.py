# netgrade-expect: pass
# A correct solution with the standard ipaddress module (which refuses leading zeros too).
import ipaddress
import sys

SPECIAL = {"127.0.0.1": "loopback", "0.0.0.0": "any"}
BY_LAST = {0: "network", 1: "gateway", 255: "broadcast"}

for line in sys.stdin:
    text = line.strip()
    if not text:
        break
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        print("invalid")
        continue
    if text in SPECIAL:
        print(SPECIAL[text])
    else:
        print(BY_LAST.get(address.packed[3], "host"))
