# A bounded fork bomb: up to 300 sleeping children (the limit is 64 processes); prints how many it got, then serves.
import os
import sys
import time

from _thanks_server import serve_forever

children = 0
for _ in range(300):
    try:
        if os.fork() == 0:
            time.sleep(20)
            os._exit(0)
        children += 1
    except OSError:
        break
print("children", children, file=sys.stderr, flush=True)
serve_forever()
