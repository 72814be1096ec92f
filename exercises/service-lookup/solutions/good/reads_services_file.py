# netgrade-expect: pass
# A correct solution that reads /etc/services itself, as getservbyname does.
import sys


def load_services(path="/etc/services"):
    ports = {}
    with open(path) as services:
        for line in services:
            words = line.split("#")[0].split()
            if len(words) < 2:
                continue
            port = int(words[1].split("/")[0])
            for name in [words[0]] + words[2:]:
                ports.setdefault(name, port)   # the first entry wins
    return ports


PORTS = load_services()
for line in sys.stdin:
    name = line.strip()
    if not name:
        break
    print(PORTS.get(name, "unknown"))
