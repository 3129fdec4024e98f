"""A demo backend for docker/compose.yaml: an HTTP server that answers every request after a fixed
delay with its own name, so the dashboard shows three backends of different speeds. It also serves
/watermark, a storage watermark that swings slowly between 0.2 and 0.9, for the bandwidth class of
the compose configuration (README "Bandwidth classes").

Usage: python3 backend.py NAME DELAY_MS [PORT]
"""
import json
import math
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME, DELAY = sys.argv[1], int(sys.argv[2]) / 1000
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 8000
STARTED = time.monotonic()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/watermark":
            phase = (time.monotonic() - STARTED) / 300 * 2 * math.pi   # a 5-minute period
            body = json.dumps({"watermark": round(0.55 + 0.35 * math.sin(phase), 4)}).encode()
            kind = "application/json"
        else:
            time.sleep(DELAY)
            body = f"{NAME}\n".encode()
            kind = "text/plain"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
