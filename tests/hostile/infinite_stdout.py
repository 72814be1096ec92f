# Prints without end (bounded: 10 minutes) and never listens.
import sys, time
line = "spam " * 40 + "\n"
end = time.time() + 600
while time.time() < end:
    sys.stdout.write(line)
