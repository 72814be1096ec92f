# Tries to reach an address outside the machine, then serves correctly. Safe by construction:
# it only tries when loopback is its only network interface (the grader's namespace), where
# the kernel refuses at once and no packet can leave.
import socket, sys
interfaces = [name for _, name in socket.if_nameindex()]
if interfaces == ["lo"]:
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=2)
        print("reached the outside", file=sys.stderr)
    except OSError as error:
        print("outside unreachable:", error, file=sys.stderr, flush=True)
else:
    print("not in an isolated network; not trying", file=sys.stderr, flush=True)
from _thanks_server import serve_forever

serve_forever()
