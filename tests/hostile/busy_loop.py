# Spins on the CPU (bounded: 10 minutes) and never listens.
import time
end = time.time() + 600
while time.time() < end:
    pass
