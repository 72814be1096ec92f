# netgrade-expect: pass
# A correct client in another style: socket.create_connection, sendall, and each piece
# written to the file as it arrives (nothing held in memory), with-blocks closing both.
import socket
import sys


def download(name, server=("127.0.0.1", 8888)):
    total = 0
    with socket.create_connection(server) as connection:
        connection.sendall(name.encode("utf-8") + b"\n")
        with open(name, "wb") as f:
            while True:
                piece = connection.recv(4096)
                if piece == b"":
                    break
                f.write(piece)
                total += len(piece)
    return total


if __name__ == "__main__":
    print(f"{sys.argv[1]}: {download(sys.argv[1])} bytes")
