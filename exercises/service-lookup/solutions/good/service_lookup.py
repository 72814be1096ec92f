# netgrade-expect: pass
# A correct solution: getservbyname without a protocol, OSError caught.
import socket

while True:
    name = input("服务名：")
    if not name:
        break
    try:
        print("端口：", socket.getservbyname(name))
    except OSError:
        print("unknown")
