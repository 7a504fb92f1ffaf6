"""A WebSocket client for the end-to-end tests (python `websockets`), run through the proxy.

Connects to `--url` over a socket to 127.0.0.1:`--port` (so the URL's host is what the proxy routes on), with
TLS when the URL is wss:// (no verification). Then, printing one `ok NAME` line per step that succeeded:
  text     a text message comes back unchanged;
  binary   a binary message with every byte value comes back unchanged;
  large    a 5 MiB random binary message comes back unchanged;
With --pause it prints `paused` and waits for a line on standard input, then:
  after    a text and a binary message still come back on the same connection;
Finally it closes: `close CODE` is the close code the server answered with (1000: a clean close handshake).
With --idle-close N it instead stays silent after the text step and expects the proxy to cut the idle connection
within N seconds: `idle-closed SECONDS` (how long the silence lasted) or `fail idle: still open`.
A failed step prints `fail NAME: reason` and exits 1.
"""

import argparse
import os
import socket
import ssl
import sys
import time

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def step(name, condition, detail=""):
    if not condition:
        print(f"fail {name}: {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pause", action="store_true")
    parser.add_argument("--idle-close", type=float)
    arguments = parser.parse_args()

    sock = socket.create_connection(("127.0.0.1", arguments.port), timeout=30)
    options = {}
    if arguments.url.startswith("wss://"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        options["ssl"] = context
    with connect(arguments.url, sock=sock, max_size=None, compression=None, proxy=None, open_timeout=30, close_timeout=30, **options) as ws:
        ws.send("hello, gatehouse")
        reply = ws.recv(timeout=30)
        step("text", reply == "hello, gatehouse", repr(reply)[:200])

        if arguments.idle_close is not None:
            started = time.monotonic()
            try:
                ws.recv(timeout=arguments.idle_close)
                step("idle", False, "a message arrived")
            except TimeoutError:
                step("idle", False, "still open")
            except ConnectionClosed:
                print(f"idle-closed {time.monotonic() - started:.2f}", flush=True)
                return

        payload = bytes(range(256)) * 16
        ws.send(payload)
        reply = ws.recv(timeout=30)
        step("binary", reply == payload, f"{type(reply).__name__} of {len(reply)}")

        large = os.urandom(5 * 1024 * 1024)
        ws.send(large)
        reply = ws.recv(timeout=60)
        step("large", reply == large, f"{type(reply).__name__} of {len(reply)}")

        if arguments.pause:
            print("paused", flush=True)
            sys.stdin.readline()
            ws.send("still here")
            text = ws.recv(timeout=30)
            ws.send(b"\x00\x01still")
            binary = ws.recv(timeout=30)
            step("after", text == "still here" and binary == b"\x00\x01still", f"{text!r} {binary!r}")

        ws.close()
        received = ws.protocol.close_rcvd
        code = received.code if received is not None else None
        print(f"close {code}", flush=True)


if __name__ == "__main__":
    main()
