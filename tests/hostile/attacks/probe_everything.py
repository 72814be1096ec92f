# Looks for all it must not see (checkout, exercise pack, the grader's binary, a classmate's copy, the class folder's path, inherited descriptors, the session keyring), then serves correctly.
import ctypes
import os
import sys

from attack_targets import TARGETS
from _thanks_server import serve_forever


def found(kind, detail):
    print("FOUND", kind + ":", repr(detail)[:160], file=sys.stderr, flush=True)


secrets = [text.encode() for text in TARGETS["secrets"]]


def scan(data, where):
    for secret in secrets:
        if secret in data:
            found("secret", (where, secret))


# Paths it must not reach at all: the checkout, the exercise pack, references, the class
# folder, the classmate's folder.
def readable(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(1)
        return True
    except OSError:
        return False


for path in TARGETS["paths"]:
    if readable(path):
        found("path", path)

# The grader's own binary holds the bundled pack (specs, hidden tests, known-good solutions).
binary = TARGETS.get("grader_binary")
if binary:
    try:
        with open(binary, "rb") as handle:
            if b"netgrade-expect: pass" in handle.read():
                found("pack", "known-good solutions read from " + binary)
    except OSError:
        pass

# Every process it can see: command line, environment, mounts, working folder, root.
for pid in (p for p in os.listdir("/proc") if p.isdigit()):
    for name in ("cmdline", "environ", "mountinfo"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as handle:
                scan(handle.read(), f"/proc/{pid}/{name}")
        except OSError:
            pass
    for link in ("cwd", "root", "exe"):
        try:
            scan(os.readlink(f"/proc/{pid}/{link}").encode(), f"/proc/{pid}/{link}")
        except OSError:
            pass
scan(repr(dict(os.environ)).encode(), "environment")

# A bounded walk of the places a classmate's staged copy or a pack could be.
own = os.path.realpath(".")
budget = 20000
for top in ("/tmp", "/var", "/home", "/opt", "/srv", "/root", "/work", "/mnt", "/run"):
    for folder, _, files in os.walk(top):
        if os.path.realpath(folder).startswith(own):
            continue
        for name in files:
            budget -= 1
            if budget < 0:
                break
            path = os.path.join(folder, name)
            if name == "exercise.yaml":
                found("path", path)
            try:
                with open(path, "rb") as handle:
                    scan(handle.read(65536), path)
            except OSError:
                pass

# Descriptors it inherited beyond stdin, stdout and stderr.
for fd in range(3, 256):
    try:
        scan(os.pread(fd, 65536, 0), f"inherited descriptor {fd}")
    except OSError:
        pass

# The session keyring (KEYCTL_READ of @s, then of every key in it).
libc = ctypes.CDLL(None, use_errno=True)
buffer = ctypes.create_string_buffer(4096)
length = libc.syscall(250, 11, ctypes.c_long(-3), buffer, 4096)
if length > 0:
    for index in range(0, min(length, 4096), 4):
        key = int.from_bytes(buffer.raw[index:index + 4], "little")
        size = libc.syscall(250, 11, ctypes.c_long(key), buffer, 4096)
        if size > 0:
            scan(buffer.raw[:size], "session keyring")

# Its own folder: exactly what was staged.
files = []
for folder, _, names in os.walk("."):
    files += [os.path.relpath(os.path.join(folder, n), ".") for n in names]
print("FILES", sorted(files), file=sys.stderr, flush=True)

serve_forever()
