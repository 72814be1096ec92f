# A correct server that closes its stdout and stderr first (the grader must not hang on them).
import os
os.close(1)
os.close(2)
from _thanks_server import serve_forever

serve_forever()
