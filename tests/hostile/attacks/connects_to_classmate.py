# Tries for 2 s to reach a classmate graded beside it (its unix sockets in /tmp and abstract, its files in /tmp, /var/tmp, /dev/shm), then serves.
import os
import socket
import sys
import time

from attack_targets import TARGETS
from _thanks_server import serve_forever

MARK = TARGETS["mark"]
reached = set()
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    for address in ("/tmp/" + MARK + ".sock", "\0" + MARK):
        try:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.settimeout(0.5)
            client.connect(address)
            reached.add(("socket", address, client.recv(100)))
            client.close()
        except OSError:
            pass
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.exists(os.path.join(folder, MARK)):
            reached.add(("file", folder))
    time.sleep(0.05)
for what in sorted(reached, key=repr):
    print("FOUND classmate's", what, file=sys.stderr, flush=True)
serve_forever()
