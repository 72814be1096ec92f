# Writes to stderr without end (bounded: 10 minutes) and never listens.
import sys, time
line = "error! " * 30 + "\n"
end = time.time() + 600
while time.time() < end:
    sys.stderr.write(line)
