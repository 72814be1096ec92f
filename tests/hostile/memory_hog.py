# Allocates memory without end (bounded: 8 GiB) before listening.
blocks = []
for _ in range(8 * 1024):
    blocks.append(bytearray(1024 * 1024))
print("allocated", len(blocks), "MiB", flush=True)
