# netgrade-expect: pass
# A correct solution without the socket module: the arithmetic by hand, sys.stdin, upper case.
import re
import sys

QUAD = re.compile(r"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$")
HEX8 = re.compile(r"^[0-9a-fA-F]{8}$")

for line in sys.stdin:
    line = line.strip()
    if line == "":
        break
    if QUAD.match(line) and all(int(p) <= 255 for p in line.split(".")):
        print("bytes:", " ".join("%02X" % int(p) for p in line.split(".")))
    elif HEX8.match(line):
        value = int(line, 16)
        print("address:", ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0)))
    else:
        print("error")
