# netgrade-expect: fail 3 6
# Bug: a hand-made table instead of the services database: aliases and most services missing.
PORTS = {"mysql": 3306, "http": 80, "https": 443, "ssh": 22, "ftp": 21, "smtp": 25}

while True:
    name = input("service> ")
    if not name:
        break
    print(PORTS.get(name, "unknown"))
