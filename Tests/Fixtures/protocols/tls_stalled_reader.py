"""Clients that ask for a response over TLS with `Connection: close` and stop reading for a while before taking it
(standard library only).

Usage: tls_stalled_reader.py --port PORT --host NAME --sizes N,N,... [--stall-ms MS] [--rcvbuf BYTES]
One connection per size, all at once: each connects to 127.0.0.1:PORT with SNI NAME (no verification) and a small
receive buffer, sends a GET asking the echo backend for N pattern bytes (`X-Echo-Response-Bytes`, byte i is i % 251)
with `Connection: close`, reads nothing for MS milliseconds (so the proxy has the whole response from its backend
while the client's socket is full), then reads until the end of the connection. Prints one line per size:
`size N body M intact yes|no close_notify yes|no` (close_notify: the connection ended with TLS's close alert rather
than a bare TCP end).
"""

import argparse
import socket
import ssl
import threading
import time


def fetch(port, host, size, stall, rcvbuf, results, index):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    raw.settimeout(30)
    raw.connect(("127.0.0.1", port))
    connection = context.wrap_socket(raw, server_hostname=host, suppress_ragged_eofs=False)
    request = (f"GET /big/{size} HTTP/1.1\r\nHost: {host}\r\nX-Echo-Response-Bytes: {size}\r\n"
               "Connection: close\r\n\r\n")
    connection.sendall(request.encode())
    time.sleep(stall)  # the client is slow on purpose: this is the load's shape, not a wait for an event
    received = bytearray()
    close_notify = False
    while True:
        try:
            chunk = connection.recv(65536)
        except ssl.SSLEOFError:
            break  # the TCP connection ended without close_notify
        except (ssl.SSLError, OSError):
            break
        if not chunk:
            close_notify = True
            break
        received += chunk
    raw.close()
    head_end = received.find(b"\r\n\r\n")
    body = received[head_end + 4:] if head_end >= 0 else b""
    intact = body == (bytes(range(251)) * (size // 251 + 1))[:size]
    results[index] = (f"size {size} body {len(body)} intact {'yes' if intact else 'no'} "
                      f"close_notify {'yes' if close_notify else 'no'}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--stall-ms", type=int, default=3000)
    parser.add_argument("--rcvbuf", type=int, default=4096)
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    results = [f"size {size} failed" for size in sizes]
    threads = [threading.Thread(target=fetch, args=(arguments.port, arguments.host, size, arguments.stall_ms / 1000,
                                                    arguments.rcvbuf, results, index))
               for index, size in enumerate(sizes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for line in results:
        print(line, flush=True)


if __name__ == "__main__":
    main()
