# A correct server that also reads stdin in a thread, forever.
import sys, threading
threading.Thread(target=lambda: sys.stdin.read(), daemon=True).start()
from _thanks_server import serve_forever

serve_forever()
