# A correct server that ignores Ctrl-C and SIGTERM: only SIGKILL stops it.
import signal, socket
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
server = socket.socket()
server.bind(('127.0.0.1', 8888))
server.listen(5)
while True:
    conn, addr = server.accept()
    while True:
        data = conn.recv(1024)
        if not data:
            break
        conn.send(b"Thanks")
    conn.close()
