# Starts a helper, then kills its own process group with SIGKILL.
import os, signal, time
if os.fork() == 0:
    time.sleep(600)
    os._exit(0)
os.killpg(0, signal.SIGKILL)
time.sleep(600)
