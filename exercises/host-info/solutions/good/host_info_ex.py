# netgrade-expect: pass
# A correct solution in another style: a function per question, gethostbyname_ex, f-strings.
import socket


def address_of(name):
    _name, _aliases, addresses = socket.gethostbyname_ex(name)
    return addresses[0]


def name_of(address):
    name, _aliases, _addresses = socket.gethostbyaddr(address)
    return name


host = socket.gethostname()
print(f"hostname = {host}")
print(f"localhost = {address_of('localhost')}")
print(f"{host} = {address_of(host)}")
print(f"127.0.0.1 = {name_of('127.0.0.1')}")
