# netgrade-expect: pass fragile 6
# The course's own client: one recv(1024) per reply. It works on one machine, where a short
# reply arrives whole, so it gets full marks; a reply that TCP delivers in two pieces is cut,
# which test 6 shows as "works here, but fragile".
from socket import *

sockfd = socket(AF_INET, SOCK_STREAM)
sockfd.connect(("127.0.0.1", 8888))
while True:
    msg = input("Msg>>")
    if not msg:
        break
    sockfd.send(msg.encode())
    data = sockfd.recv(1024)
    print("Server:", data.decode())
sockfd.close()
