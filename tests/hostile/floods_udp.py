# Serves TCP correctly while a thread floods UDP datagrams at loopback ports (bounded: 10
# minutes). Nothing of the grader listens there; the flood must not disturb the grading.
import socket, threading, time
def flood():
    blaster = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end = time.time() + 600
    while time.time() < end:
        for port in (8888, 9999, 40000):
            try:
                blaster.sendto(b"X" * 1400, ("127.0.0.1", port))
            except OSError:
                pass
threading.Thread(target=flood, daemon=True).start()
from _thanks_server import serve_forever

serve_forever()
