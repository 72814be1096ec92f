# Writes a huge file (bounded: 1 GiB) before listening.
chunk = b"x" * (1024 * 1024)
with open("huge.bin", "wb") as out:
    for _ in range(1024):
        out.write(chunk)
