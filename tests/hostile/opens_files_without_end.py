# Opens files until it cannot (bounded: 100000), keeps them open, and never listens.
import time
held = []
for _ in range(100000):
    try:
        held.append(open("/dev/null"))
    except OSError as error:
        print("stopped opening after", len(held), "files:", error, flush=True)
        break
time.sleep(600)
