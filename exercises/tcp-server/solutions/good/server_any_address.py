# netgrade-expect: pass
# A correct solution that binds every local address ('0.0.0.0') and prints in Chinese; its
# replies end with "\r\n", as telnet's lines do.
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(('0.0.0.0', 8888))
server.listen(5)
print("等待连接……")

while True:
    conn, addr = server.accept()
    print("连接来自：", addr)
    while True:
        data = conn.recv(1024)
        if not data:
            print("客户端退出")
            break
        print("收到：", data.decode())
        conn.send(b'Thanks\r\n')
    conn.close()
