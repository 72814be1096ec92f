# netgrade-expect: fail 3 6
# Bug: asks for the TCP port only, so UDP-only services (tftp, ntp, snmp-trap) are "unknown".
import socket

while True:
    name = input("service> ")
    if not name:
        break
    try:
        print(socket.getservbyname(name, "tcp"))
    except OSError:
        print("unknown")
