# Sleeps (10 minutes) before it would listen.
import time
time.sleep(600)
