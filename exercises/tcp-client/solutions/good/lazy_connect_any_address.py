# netgrade-expect: pass
# A correct client in another style: connects to 0.0.0.0 (this machine, on Linux) only after
# the first line, reads the reply with makefile().readline(), sendall and a with-block.
import socket

connection = None
reader = None
while True:
    message = input("发送：")
    if message == "":
        break
    if connection is None:
        connection = socket.create_connection(("0.0.0.0", 8888))
        reader = connection.makefile("r", encoding="utf-8", newline="\n")
    connection.sendall(message.encode("utf-8"))
    print("服务器回复：" + reader.readline().rstrip("\n"))

if connection is not None:
    reader.close()
    connection.close()
