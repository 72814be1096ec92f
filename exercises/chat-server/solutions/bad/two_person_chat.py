# netgrade-expect: fail 3 4 5
# Bug: a chat for exactly two: it accepts two clients and relays between them, so a third
# client is never accepted and never hears anything.
import threading
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
sockfd.bind(('127.0.0.1', 8888))
sockfd.listen(5)


def relay(source, target):
    while True:
        data = source.recv(1024)
        if not data:
            break
        target.send(data)
    source.close()


first, addr1 = sockfd.accept()
second, addr2 = sockfd.accept()
print("Chat between", addr1, "and", addr2)
threading.Thread(target=relay, args=(first, second)).start()
threading.Thread(target=relay, args=(second, first)).start()
