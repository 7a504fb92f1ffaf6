"""HTTP/1.1 requests over TLS with `Connection: close`, each on a connection of its own, dropped without close_notify
(standard library only).

Usage: tls_close_client.py --port PORT --host NAME [--count N]
For each request: connects to 127.0.0.1:PORT with SNI NAME (no verification), sends a GET with `Connection: close`,
reads until the server ends the connection, then closes the TCP socket without a TLS close_notify (as clients that
just drop the connection do). Prints `status N` per request.
"""

import argparse
import socket
import ssl


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--count", type=int, default=3)
    arguments = parser.parse_args()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for _ in range(arguments.count):
        raw = socket.create_connection(("127.0.0.1", arguments.port), timeout=30)
        connection = context.wrap_socket(raw, server_hostname=arguments.host)
        connection.sendall(f"GET /bye HTTP/1.1\r\nHost: {arguments.host}\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except (ssl.SSLError, OSError):
                break
            if not chunk:
                break
            received += chunk
        status = received.split(b" ", 2)[1].decode() if received.startswith(b"HTTP/1.1 ") else "none"
        print(f"status {status}", flush=True)
        # Drop the TCP connection: no unwrap(), so no close_notify is sent.
        raw.close()


if __name__ == "__main__":
    main()
