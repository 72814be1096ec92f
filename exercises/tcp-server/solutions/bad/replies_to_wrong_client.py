# netgrade-expect: fail 7 fragile 9
# Bug: a threaded server whose handlers reply on a global variable, i.e. on the connection
# accepted last, not on their own client's.
import socket
import threading

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(('127.0.0.1', 8888))
server.listen(5)
conn = None

def handle(own):
    while True:
        data = own.recv(1024)
        if not data:
            break
        conn.send(b"Thanks")   # should be own.send
    own.close()

while True:
    conn, addr = server.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
