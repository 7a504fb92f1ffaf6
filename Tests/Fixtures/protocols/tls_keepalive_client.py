"""One keep-alive HTTP/1.1 connection over TLS, held open across a certificate rotation (standard library only).

Usage: tls_keepalive_client.py --port PORT --host NAME --path PATH
Connects to 127.0.0.1:PORT with SNI NAME (no verification), sends a GET, and prints
`cert SHA256-FINGERPRINT` (the certificate of this connection) and `status N`. Then it prints `paused`, waits for
a line on standard input, sends a second GET on the same TLS connection and prints `status N` again (or
`fail: reason` when the connection was closed).
"""

import argparse
import hashlib
import http.client
import socket
import ssl
import sys


def request(connection, host, path):
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    response = http.client.HTTPResponse(connection)
    response.begin()
    response.read()
    return response.status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--path", default="/")
    arguments = parser.parse_args()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", arguments.port), timeout=30)
    connection = context.wrap_socket(raw, server_hostname=arguments.host)
    digest = hashlib.sha256(connection.getpeercert(binary_form=True)).hexdigest().upper()
    print("cert " + ":".join(digest[i : i + 2] for i in range(0, len(digest), 2)), flush=True)
    print(f"status {request(connection, arguments.host, arguments.path)}", flush=True)
    print("paused", flush=True)
    sys.stdin.readline()
    try:
        print(f"status {request(connection, arguments.host, arguments.path)}", flush=True)
    except Exception as error:  # the connection was dropped
        print(f"fail: {error!r}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
