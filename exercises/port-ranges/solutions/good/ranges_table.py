# netgrade-expect: pass
# A correct solution in another style: a table of ranges, a prompt on its own line, sys.stdin.
import sys

RANGES = [(1, 255, "well-known"), (256, 1023, "system"), (1024, 65535, "user")]


def classify(text):
    if not text.isdigit():
        return "invalid"
    port = int(text)
    for low, high, name in RANGES:
        if low <= port <= high:
            return name
    return "invalid"


print("Port?")
for line in sys.stdin:
    line = line.strip()
    if line == "":
        break
    print(classify(line))
    print("Port?")
