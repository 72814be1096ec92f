# Accepts and reads, but never replies (bounded: 10 minutes).
import socket, time
server = socket.socket()
server.bind(('127.0.0.1', 8888))
server.listen(5)
conn, addr = server.accept()
conn.recv(1024)
time.sleep(600)
