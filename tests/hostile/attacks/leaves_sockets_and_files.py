# Leaves unix sockets (/tmp and abstract) and files in /tmp, /var/tmp, /dev/shm for a classmate or its own next run, then serves.
import os
import socket
import sys
import threading
import time

from attack_targets import TARGETS
from _thanks_server import serve_forever

MARK = TARGETS["mark"]
for folder in ("/tmp", "/var/tmp", "/dev/shm"):
    path = os.path.join(folder, MARK)
    if os.path.exists(path):
        print("FOUND left by an earlier run:", path, file=sys.stderr, flush=True)
    try:
        with open(path, "w") as handle:
            handle.write("left behind")
    except OSError as error:
        print("cannot write", path, error, file=sys.stderr, flush=True)


def answer(server):
    while True:
        connection, _ = server.accept()
        connection.sendall(b"hello classmate")
        connection.close()


for address in ("/tmp/" + MARK + ".sock", "\0" + MARK):
    try:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(address)
        server.listen(5)
        threading.Thread(target=answer, args=(server,), daemon=True).start()
    except OSError as error:
        print("cannot listen on", repr(address), error, file=sys.stderr, flush=True)

time.sleep(TARGETS["linger"])  # a classmate graded beside it looks meanwhile
serve_forever()
