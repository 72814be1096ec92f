# netgrade-expect: fail all
# Bug: copies the course notes' typo 'localname': the lookup fails (gaierror) and the program
# dies after the first line.
import socket

print("hostname:", socket.gethostname())
print("localhost:", socket.gethostbyname("localname"))
print("own address:", socket.gethostbyname(socket.gethostname()))
print("127.0.0.1:", socket.gethostbyaddr("127.0.0.1")[0])
