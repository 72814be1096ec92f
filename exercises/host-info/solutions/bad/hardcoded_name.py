# netgrade-expect: fail 1 2 3 4
# Bug: writes the name of the student's own laptop instead of asking gethostname().
import socket

print("hostname: my-laptop")
print("localhost:", socket.gethostbyname("localhost"))
print("own address:", socket.gethostbyname("localhost"))
print("127.0.0.1:", socket.gethostbyaddr("127.0.0.1")[0])
