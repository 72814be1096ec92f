# netgrade-expect: fail 4
# Bug: prints the whole tuple gethostbyaddr returns: ('localhost', [], ['127.0.0.1']).
import socket

name = socket.gethostname()
print("hostname:", name)
print("localhost:", socket.gethostbyname("localhost"))
print("own address:", socket.gethostbyname(name))
print("127.0.0.1:", socket.gethostbyaddr("127.0.0.1"))
