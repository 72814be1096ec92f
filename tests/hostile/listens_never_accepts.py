# Listens, then never calls accept() (bounded: 10 minutes).
import socket, time
server = socket.socket()
server.bind(('127.0.0.1', 8888))
server.listen(5)
time.sleep(600)
