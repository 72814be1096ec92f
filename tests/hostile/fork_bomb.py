# Forks without end (bounded: at most 3000 forks, children live at most 2 minutes).
import os, time
children = 0
for _ in range(3000):
    try:
        if os.fork() == 0:
            time.sleep(120)
            os._exit(0)
        children += 1
    except OSError as error:
        print("fork failed after", children, "children:", error, flush=True)
        break
time.sleep(120)
