# netgrade-expect: pass
# A correct solution, one socket call per line, with Chinese labels and full-width colons.
import socket

name = socket.gethostname()
print("主机名：", name)
print("localhost：", socket.gethostbyname("localhost"))
print(name + "：", socket.gethostbyname(name))
print("127.0.0.1：", socket.gethostbyaddr("127.0.0.1")[0])
