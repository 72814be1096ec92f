# netgrade-expect: pass fragile 9
# A correct server that takes its time: it waits a second (a wait with a timeout, not for
# input) before it listens, and a moment before every reply. The grader must wait for it.
import select
import threading
from socket import *

threading.Event().wait(1)          # "starting up..."
sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

while True:
    connfd, addr = sockfd.accept()
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        select.select([], [], [], 0.3)   # "thinking..."
        connfd.send(b"Thanks")
    connfd.close()
