"""Malformed HTTP/2 requests (RFC 9113 §8.2 and §8.3), each on its own stream, and well-formed ones around them.

Usage: h2_malformed_client.py --port PORT --authority HOST [--tls CA_FILE]

Connects to 127.0.0.1:PORT, with TLS and ALPN `h2` when --tls is given (the certificate verified against CA_FILE
for HOST), else in cleartext with prior knowledge (h2c). Sends each case of CASES below with python `h2`'s own
header checks switched off, and prints one line per case:
  case NAME reset CODE      the stream was reset with RST_STREAM CODE (1 = PROTOCOL_ERROR)
  case NAME status STATUS   a response arrived
  case NAME goaway CODE     the connection was closed with GOAWAY (a new connection is opened for the next case)
  case NAME closed          the connection was closed without GOAWAY
  case NAME timeout         nothing decisive within 10 s
After every malformed case a well-formed GET goes on the same connection (`case NAME-after ...`), so a reset that
took the connection down shows. For `split-cookie` (two cookie fields, RFC 9113 §8.2.3) it also prints
`cookie VALUE`, the Cookie header the echo backend received. Exits 0 once every case has printed its line.
"""

import argparse
import json
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions

CASE_TIMEOUT = 10.0
# The cases that must be answered (the others must be refused).
WELL_FORMED = ("valid", "te-trailers", "body-and-trailers", "split-cookie", "content-length-exact")


def request(authority, path="/malformed", method="GET", extra=()):
    """A well-formed request head, then `extra` (name, value) pairs, all as bytes."""
    return [(b":method", method.encode()), (b":scheme", b"https"), (b":authority", authority.encode()),
            (b":path", path.encode())] + [(n.encode() if isinstance(n, str) else n, v.encode() if isinstance(v, str) else v)
                                          for n, v in extra]


def cases(authority):
    """(name, headers, body, trailers): body None means END_STREAM on the HEADERS frame."""
    a = authority.encode()
    return [
        ("valid", request(authority, "/valid"), None, None),
        ("te-trailers", request(authority, extra=[("te", "trailers")]), None, None),
        ("body-and-trailers", request(authority, method="POST", extra=[("content-type", "text/plain")]), b"hello",
         [(b"x-checksum", b"abc")]),
        ("split-cookie", request(authority, extra=[("cookie", "a=1"), ("x-between", "1"), ("cookie", "b=2")]), None, None),
        ("uppercase-name", request(authority, extra=[("X-Upper", "v")]), None, None),
        ("space-in-name", request(authority, extra=[("x bad", "v")]), None, None),
        ("colon-in-name", request(authority, extra=[("x:bad", "v")]), None, None),
        ("empty-name", request(authority, extra=[("", "v")]), None, None),
        ("crlf-in-value", request(authority, extra=[("x-inject", "a\r\nx-evil: 1")]), None, None),
        ("lf-in-value", request(authority, extra=[("x-inject", "a\nx-evil: 1")]), None, None),
        ("cr-in-value", request(authority, extra=[("x-inject", "a\rb")]), None, None),
        ("nul-in-value", request(authority, extra=[("x-inject", "a\x00b")]), None, None),
        ("crlf-in-path", [(b":method", b"GET"), (b":scheme", b"https"), (b":authority", a),
                          (b":path", b"/x HTTP/1.1\r\nx-evil: 1\r\n\r\nGET /y")], None, None),
        ("space-in-path", [(b":method", b"GET"), (b":scheme", b"https"), (b":authority", a), (b":path", b"/x y")], None, None),
        ("space-in-method", [(b":method", b"GET /evil"), (b":scheme", b"https"), (b":authority", a), (b":path", b"/x")],
         None, None),
        ("crlf-in-authority", [(b":method", b"GET"), (b":scheme", b"https"), (b":authority", a + b"\r\nx-evil: 1"),
                               (b":path", b"/x")], None, None),
        ("connection", request(authority, extra=[("connection", "keep-alive")]), None, None),
        ("keep-alive", request(authority, extra=[("keep-alive", "timeout=5")]), None, None),
        ("proxy-connection", request(authority, extra=[("proxy-connection", "keep-alive")]), None, None),
        ("transfer-encoding", request(authority, method="POST", extra=[("transfer-encoding", "chunked")]), b"5\r\nhello\r\n0\r\n\r\n",
         None),
        ("upgrade", request(authority, extra=[("upgrade", "websocket")]), None, None),
        ("te-gzip", request(authority, extra=[("te", "gzip")]), None, None),
        ("pseudo-after-regular", [(b":method", b"GET"), (b":scheme", b"https"), (b"x-first", b"1"), (b":authority", a),
                                  (b":path", b"/x")], None, None),
        ("unknown-pseudo", request(authority, extra=[(":foo", "bar")]), None, None),
        ("status-in-request", request(authority, extra=[(":status", "200")]), None, None),
        ("duplicate-path", request(authority) + [(b":path", b"/other")], None, None),
        ("duplicate-method", [(b":method", b"GET"), (b":method", b"POST"), (b":scheme", b"https"), (b":authority", a),
                              (b":path", b"/x")], None, None),
        ("missing-method", [(b":scheme", b"https"), (b":authority", a), (b":path", b"/x")], None, None),
        ("missing-path", [(b":method", b"GET"), (b":scheme", b"https"), (b":authority", a)], None, None),
        ("empty-path", [(b":method", b"GET"), (b":scheme", b"https"), (b":authority", a), (b":path", b"")], None, None),
        ("missing-scheme", [(b":method", b"GET"), (b":authority", a), (b":path", b"/x")], None, None),
        ("pseudo-in-trailers", request(authority, method="POST"), b"hello", [(b":path", b"/evil")]),
        ("crlf-in-trailers", request(authority, method="POST"), b"hello", [(b"x-checksum", b"a\r\nx-evil: 1")]),
        ("uppercase-in-trailers", request(authority, method="POST"), b"hello", [(b"X-Checksum", b"abc")]),
        ("content-length-exact", request(authority, method="POST", extra=[("content-length", "5")]), b"hello", None),
        # RFC 9113 §8.1.1: a content-length that differs from the DATA sent makes the request malformed.
        ("content-length-short", request(authority, method="POST", extra=[("content-length", "10")]), b"hello", None),
        ("content-length-long", request(authority, method="POST", extra=[("content-length", "2")]), b"hello", None),
        ("content-length-no-data", request(authority, method="POST", extra=[("content-length", "5")]), None, None),
        ("content-length-trailers", request(authority, method="POST", extra=[("content-length", "9")]), b"hello",
         [(b"x-checksum", b"abc")]),
        ("content-length-invalid", request(authority, method="POST", extra=[("content-length", "5x")]), b"hello", None),
        ("content-length-conflict", request(authority, method="POST", extra=[("content-length", "5"), ("content-length", "6")]),
         b"hello", None),
    ]


class Connection:
    """One blocking HTTP/2 client connection."""

    def __init__(self, args):
        raw = socket.create_connection(("127.0.0.1", args.port), timeout=CASE_TIMEOUT)
        if args.tls:
            context = ssl.create_default_context(cafile=args.tls)
            context.set_alpn_protocols(["h2"])
            raw = context.wrap_socket(raw, server_hostname=args.authority)
            if raw.selected_alpn_protocol() != "h2":
                print(f"fail alpn {raw.selected_alpn_protocol()}", flush=True)
                sys.exit(1)
        self.sock = raw
        config = h2.config.H2Configuration(client_side=True, header_encoding=None, validate_outbound_headers=False,
                                           normalize_outbound_headers=False, validate_inbound_headers=False)
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.initiate_connection()
        self.flush()
        self.dead = False

    def flush(self):
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def run(self, headers, body, trailers):
        """Sends one request and returns its outcome (see the module's description)."""
        stream = self.h2.get_next_available_stream_id()
        self.h2.send_headers(stream, headers, end_stream=body is None)
        if body is not None:
            self.h2.send_data(stream, body, end_stream=trailers is None)
            if trailers is not None:
                self.h2.send_headers(stream, trailers, end_stream=True)
        self.flush()
        deadline = time.monotonic() + CASE_TIMEOUT
        status = None
        self.body = bytearray()
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                break
            except (ConnectionError, ssl.SSLError):
                self.dead = True
                return "closed"
            if not data:
                self.dead = True
                return "closed"
            try:
                events = self.h2.receive_data(data)
            except h2.exceptions.ProtocolError as error:
                self.dead = True
                return f"client-error {type(error).__name__}"
            for event in events:
                if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream:
                    status = dict(event.headers).get(b":status", b"?").decode()
                elif isinstance(event, h2.events.DataReceived):
                    if event.stream_id == stream:
                        self.body += event.data
                    self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                    self.flush()
                    return f"status {status}"
                elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream:
                    self.flush()
                    return f"reset {int(event.error_code)}"
                elif isinstance(event, h2.events.ConnectionTerminated):
                    self.dead = True
                    return f"goaway {int(event.error_code)}"
            self.flush()
        return "timeout"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--authority", required=True)
    parser.add_argument("--tls")
    args = parser.parse_args()
    connection = Connection(args)
    for name, headers, body, trailers in cases(args.authority):
        if connection.dead:
            connection = Connection(args)
        print(f"case {name} {connection.run(headers, body, trailers)}", flush=True)
        if name == "split-cookie":
            try:
                print(f"cookie {json.loads(bytes(connection.body))['headers'].get('cookie')}", flush=True)
            except (ValueError, KeyError) as error:
                print(f"cookie unreadable: {error}", flush=True)
        if name not in WELL_FORMED:
            if connection.dead:
                connection = Connection(args)
            print(f"case {name}-after {connection.run(request(args.authority, '/after'), None, None)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
