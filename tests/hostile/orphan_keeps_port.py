# Double-forks a setsid() orphan that listens on 8888 and keeps it (10 minutes), then exits.
import os, socket, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        server = socket.socket()
        server.bind(('127.0.0.1', 8888))
        server.listen(5)
        time.sleep(600)
        os._exit(0)
    os._exit(0)
os.wait()
