# netgrade-expect: pass
# A correct chat server built on the standard library's socketserver: ThreadingTCPServer
# gives each client a thread; the handler reads whole lines with rfile.readline().
import socketserver
import threading

clients = set()
lock = threading.Lock()


class Chat(socketserver.StreamRequestHandler):
    def handle(self):
        with lock:
            clients.add(self.wfile)
        try:
            for line in self.rfile:
                with lock:
                    for other in clients:
                        if other is not self.wfile:
                            other.write(line)
        finally:
            with lock:
                clients.discard(self.wfile)


socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
with socketserver.ThreadingTCPServer(("127.0.0.1", 8888), Chat) as server:
    server.serve_forever()
