# netgrade-expect: pass fragile 9
# A correct server built on the standard library's socketserver: one thread per client, and
# serve_forever() polls for connections every half second (a wait with a timeout).
import socketserver


class Thanks(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            self.request.sendall(b"Thanks")


socketserver.ThreadingTCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(('127.0.0.1', 8888), Thanks) as server:
    server.serve_forever()
