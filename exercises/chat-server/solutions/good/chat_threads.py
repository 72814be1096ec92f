# netgrade-expect: pass
# A correct chat server as the course would write it with threads: one thread per client, a
# shared list of connections guarded by a lock; every recv() is sent on, unchanged, to every
# other client; a client that leaves is taken out of the list and closed.
import threading
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)

clients = []
lock = threading.Lock()


def handle(connfd, addr):
    while True:
        data = connfd.recv(1024)
        if not data:
            break
        with lock:
            for other in clients:
                if other is not connfd:
                    other.sendall(data)
    with lock:
        clients.remove(connfd)
    connfd.close()
    print(addr, "left")


while True:
    connfd, addr = sockfd.accept()
    print("Connect from", addr)
    with lock:
        clients.append(connfd)
    threading.Thread(target=handle, args=(connfd, addr), daemon=True).start()
