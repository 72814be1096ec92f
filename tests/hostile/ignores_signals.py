# A correct server that ignores Ctrl-C and SIGTERM: only SIGKILL stops it.
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
from _thanks_server import serve_forever

serve_forever()
