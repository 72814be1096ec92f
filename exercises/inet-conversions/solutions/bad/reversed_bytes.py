# netgrade-expect: fail 1 2 3 4 6
# Bug: packs the address as a little-endian number (the machine's byte order), so the bytes
# come out reversed: 192.168.1.2 → 02 01 a8 c0.
import struct

while True:
    text = input("IP> ")
    if not text:
        break
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() and int(p) <= 255 and str(int(p)) == p for p in parts):
        a, b, c, d = (int(p) for p in parts)
        number = (a << 24) | (b << 16) | (c << 8) | d
        print(struct.pack("<I", number).hex(" "))
    elif len(text) == 8 and all(ch in "0123456789abcdefABCDEF" for ch in text):
        number = struct.unpack("<I", bytes.fromhex(text))[0]
        print(".".join(str((number >> s) & 0xFF) for s in (24, 16, 8, 0)))
    else:
        print("error")
