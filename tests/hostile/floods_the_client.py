# Answers a message with an endless flood of bytes (bounded: 10 minutes).
import socket, time
server = socket.socket()
server.bind(('127.0.0.1', 8888))
server.listen(5)
conn, addr = server.accept()
conn.recv(1024)
block = b"F" * 65536
end = time.time() + 600
while time.time() < end:
    conn.sendall(block)
