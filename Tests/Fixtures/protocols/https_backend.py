"""An HTTPS backend for the end-to-end tests (python standard library only).

Usage: https_backend.py --cert CERT --key KEY
Prints `port N` once serving HTTP/1.1 over TLS on 127.0.0.1, and answers every GET with JSON:
{"tls": "TLSv1.3", "path": "/…", "host": "…", "forwardedProto": "…"}.
"""

import argparse
import signal
import http.server
import json
import ssl


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = json.dumps(
            {
                "tls": self.connection.version(),
                "path": self.path,
                "host": self.headers.get("Host"),
                "forwardedProto": self.headers.get("X-Forwarded-Proto"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    arguments = parser.parse_args()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(arguments.cert, arguments.key)
    context.set_alpn_protocols(["http/1.1"])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    # The test runner may start us with SIGTERM ignored or blocked (both are inherited): stopping must still work.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    main()
