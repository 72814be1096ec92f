# Classifies ports but prints terminal escapes and a formula, then crashes with a traceback whose last line clears the screen and fakes a pass.
import sys

print("\x1b[2J\x1b[31mHACKED\x1b]0;pwned\x07\r\u202eevil", file=sys.stderr, flush=True)


def classify(text):
    if not text.isdigit():
        return "invalid"
    port = int(text)
    if 1 <= port <= 255:
        return "well-known"
    if 256 <= port <= 1023:
        return "system"
    if 1024 <= port <= 65535:
        return "user"
    return "invalid"


while True:
    line = input()
    print("=HYPERLINK(\"http://x\") \x1b[1;32m", classify(line), flush=True)
    if line == "8888":
        raise ValueError("\x1b[2J\x1b[1;32mall tests passed\x1b[0m\r=cmd|' /C calc'!A0")
