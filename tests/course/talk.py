"""Runs a course server and a course client against each other, on a private loopback.

Usage (inside a new network namespace, e.g. `unshare -rn python3 talk.py ...`):
    talk.py SERVER CLIENT PROTO LINE...
Brings the namespace's loopback up, starts SERVER, waits until it is bound on 8888 (PROTO is
tcp or udp), types each LINE into CLIENT and then an empty line, and prints the client's
output. Exits non-zero if the client does not end within 10 s.
"""
import fcntl
import socket
import struct
import subprocess
import sys
import time

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1

def loopback_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, request)[:18])[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))

def bound(proto):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as probe:
        try:
            probe.bind(("127.0.0.1", 8888))
            return False
        except OSError:
            return True

def main():
    server, client, proto, lines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    loopback_up()
    started = subprocess.Popen([sys.executable, server], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if bound(proto):
                break
            time.sleep(0.05)
        else:
            sys.exit("the server never bound port 8888")
        typed = "".join(line + "\n" for line in lines) + "\n"
        done = subprocess.run([sys.executable, client], input=typed.encode(),
                              capture_output=True, timeout=10)
        sys.stdout.write(done.stdout.decode())
        sys.exit(done.returncode)
    finally:
        started.kill()

main()
