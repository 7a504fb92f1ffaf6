"""One HTTP/2 connection with a stalled stream beside busy ones (python `h2`, the python-hyper state machine).

Usage: h2_slow_stream_client.py --port PORT --authority HOST [--tls CA_FILE] [--large-bytes N] [--others N]

Connects to 127.0.0.1:PORT, with TLS and ALPN `h2` when --tls is given (the certificate verified against CA_FILE
for HOST), else in cleartext with prior knowledge (h2c). The client keeps every stream's initial window at the
default 65,535 bytes and opens the connection's window to the maximum up front, so one stream that never hands its
window back cannot use up the window the others need. Printing one `ok NAME` line per step that succeeded:
  warmup   a small GET answers 200 with the echo's JSON report;
Then it prints `ready` and waits for a line on standard input (the test measures the proxy's memory), and:
  stalled  stream A asks for --large-bytes pattern bytes (`X-Echo-Response-Bytes`) and receives exactly its
           initial window, 65,535 bytes; the client sends no WINDOW_UPDATE for A;
  others   --others small requests on the same connection (half of them at once, then the rest one after
           another, and one POST with a body) all complete while A stays stalled; `others-seconds S` says how long
           they took and `stalled-bytes N` how much of A has arrived (still 65,535);
Then it prints `paused` and waits for a line on standard input (the test checks the proxy stopped reading the
backend). On `close` the client half-closes the connection (FIN, no GOAWAY) with A still stalled, and:
  closed   the proxy closes its side within 10 s; `closed-seconds S` says how long that took.
On any other line:
  large    A's window is handed back as its data is consumed, and A completes with --large-bytes bytes, byte i
           being i % 251 (the echo's pattern); `large-seconds S` says how long that took;
  after    one more small GET on the same connection answers 200;
  closed   after GOAWAY and FIN from the client, the proxy closes its side within 10 s (`closed-seconds S`).
A failed step prints `fail NAME: reason` and exits 1.
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
import h2.settings

INITIAL_WINDOW = 65535
PHASE_TIMEOUT = 30.0


def fail(name, detail):
    print(f"fail {name}: {detail}", flush=True)
    sys.exit(1)


class Stream:
    """What arrived on one stream."""

    def __init__(self):
        self.status = None
        self.body = bytearray()
        self.ended = False
        self.reset = None


class Client:
    """A blocking HTTP/2 client over one socket: each `pump` reads what arrived and handles its events."""

    def __init__(self, sock, authority):
        self.sock = sock
        self.authority = authority
        self.streams = {}
        # Streams whose window the client hands back as their data is consumed.
        self.acknowledged = set()
        # Request bodies still to send, by stream: sent as the proxy's windows allow.
        self.uploads = {}
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        self.connection = h2.connection.H2Connection(config=config)
        self.connection.initiate_connection()
        # The connection window: as large as HTTP/2 allows, so a stalled stream's bytes never block the others.
        self.connection.increment_flow_control_window(h2.connection.H2Connection.MAX_WINDOW_INCREMENT - INITIAL_WINDOW)
        self.send()

    def send(self):
        data = self.connection.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path, headers=(), body=None, acknowledge=True):
        stream_id = self.connection.get_next_available_stream_id()
        self.streams[stream_id] = Stream()
        if acknowledge:
            self.acknowledged.add(stream_id)
        method = "POST" if body is not None else "GET"
        fields = [(":method", method), (":scheme", "https"), (":authority", self.authority), (":path", path)]
        fields += list(headers)
        self.connection.send_headers(stream_id, fields, end_stream=body is None)
        if body is not None:
            self.uploads[stream_id] = memoryview(body)
        self.upload()
        return stream_id

    def upload(self):
        """Sends as much of the pending request bodies as the proxy's flow control windows allow."""
        for stream_id, rest in list(self.uploads.items()):
            while len(rest) > 0:
                size = min(len(rest), self.connection.local_flow_control_window(stream_id), self.connection.max_outbound_frame_size)
                if size <= 0:
                    break
                self.connection.send_data(stream_id, rest[:size].tobytes())
                rest = rest[size:]
            if len(rest) == 0:
                self.connection.end_stream(stream_id)
                del self.uploads[stream_id]
            else:
                self.uploads[stream_id] = rest
        self.send()

    def pump(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the proxy closed the connection")
        for event in self.connection.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                self.streams[event.stream_id].status = int(dict(event.headers)[":status"])
            elif isinstance(event, h2.events.DataReceived):
                self.streams[event.stream_id].body += event.data
                if event.stream_id in self.acknowledged:
                    self.connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self.streams[event.stream_id].ended = True
            elif isinstance(event, h2.events.StreamReset):
                self.streams[event.stream_id].reset = event.error_code
            elif isinstance(event, h2.events.ConnectionTerminated):
                raise ConnectionError(f"GOAWAY {event.error_code}")
        self.upload()

    def wait(self, name, condition, timeout=PHASE_TIMEOUT):
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                fail(name, f"timed out after {timeout} s")
            self.sock.settimeout(remaining)
            try:
                self.pump()
            except socket.timeout:
                fail(name, f"timed out after {timeout} s")
            except (ConnectionError, OSError) as error:
                fail(name, repr(error))

    def done(self, stream_id):
        stream = self.streams[stream_id]
        return stream.ended or stream.reset is not None


def half_close(sock):
    """Sends FIN and waits until the proxy closes its side too (whatever else arrives meanwhile is dropped)."""
    started = time.monotonic()
    sock.shutdown(socket.SHUT_WR)
    deadline = started + 10
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            fail("closed", "the proxy kept the connection open 10 s after the client's FIN")
        sock.settimeout(remaining)
        try:
            if not sock.recv(65536):
                break
        except socket.timeout:
            fail("closed", "the proxy kept the connection open 10 s after the client's FIN")
        except OSError:
            break  # a reset closes it too
    print(f"closed-seconds {time.monotonic() - started:.3f}", flush=True)
    print("ok closed", flush=True)
    sock.close()


def check_echo(name, client, stream_id, path):
    stream = client.streams[stream_id]
    if stream.reset is not None or stream.status != 200:
        fail(name, f"stream {stream_id}: status {stream.status}, reset {stream.reset}")
    try:
        report = json.loads(bytes(stream.body))
    except ValueError:
        fail(name, f"stream {stream_id}: not an echo report: {bytes(stream.body[:200])!r}")
    if report.get("path") != path:
        fail(name, f"stream {stream_id}: the echo saw path {report.get('path')!r}, not {path!r}")
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--authority", required=True)
    parser.add_argument("--tls")
    parser.add_argument("--large-bytes", type=int, default=8 * 1024 * 1024)
    parser.add_argument("--others", type=int, default=20)
    arguments = parser.parse_args()

    sock = socket.create_connection(("127.0.0.1", arguments.port), timeout=PHASE_TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if arguments.tls:
        context = ssl.create_default_context(cafile=arguments.tls)
        context.set_alpn_protocols(["h2"])
        sock = context.wrap_socket(sock, server_hostname=arguments.authority)
        if sock.selected_alpn_protocol() != "h2":
            fail("alpn", f"the server chose {sock.selected_alpn_protocol()!r}")
    client = Client(sock, arguments.authority)

    warmup = client.request("/warmup")
    client.wait("warmup", lambda: client.done(warmup))
    check_echo("warmup", client, warmup, "/warmup")
    print("ok warmup", flush=True)
    print("ready", flush=True)
    sys.stdin.readline()

    # Stream A: a large download whose window the client never hands back (for now).
    large = client.request("/large", headers=[("x-echo-response-bytes", str(arguments.large_bytes))], acknowledge=False)
    stalled = client.streams[large]
    client.wait("stalled", lambda: len(stalled.body) >= INITIAL_WINDOW or client.done(large))
    if client.done(large) or len(stalled.body) != INITIAL_WINDOW:
        fail("stalled", f"stream A: {len(stalled.body)} bytes, ended {stalled.ended}, reset {stalled.reset}")
    print("ok stalled", flush=True)

    # Streams B, C, …: small requests on the same connection while A is stalled.
    started = time.monotonic()
    concurrent = [client.request(f"/other/{index}") for index in range(arguments.others // 2)]
    client.wait("others", lambda: all(client.done(stream_id) for stream_id in concurrent))
    for index, stream_id in enumerate(concurrent):
        check_echo("others", client, stream_id, f"/other/{index}")
    for index in range(arguments.others // 2, arguments.others):
        stream_id = client.request(f"/other/{index}")
        client.wait("others", lambda: client.done(stream_id))
        check_echo("others", client, stream_id, f"/other/{index}")
    upload = bytes(range(256)) * 1024
    post = client.request("/upload", body=upload)
    client.wait("others", lambda: client.done(post))
    if check_echo("others", client, post, "/upload").get("bodyBytes") != len(upload):
        fail("others", f"the echo did not receive the {len(upload)}-byte body")
    print(f"others-seconds {time.monotonic() - started:.3f}", flush=True)
    print(f"stalled-bytes {len(stalled.body)}", flush=True)
    if client.done(large) or len(stalled.body) != INITIAL_WINDOW:
        fail("others", f"stream A moved while stalled: {len(stalled.body)} bytes, reset {stalled.reset}")
    print("ok others", flush=True)
    print("paused", flush=True)
    if sys.stdin.readline().strip() == "close":
        half_close(sock)
        return

    # Open A's window: what arrived so far is consumed, and from now on its data is handed back as it arrives.
    started = time.monotonic()
    client.acknowledged.add(large)
    client.connection.acknowledge_received_data(len(stalled.body), large)
    client.send()
    client.wait("large", lambda: client.done(large), timeout=120)
    if stalled.reset is not None or stalled.status != 200 or len(stalled.body) != arguments.large_bytes:
        fail("large", f"status {stalled.status}, {len(stalled.body)} bytes, reset {stalled.reset}")
    expected = bytes(index % 251 for index in range(251)) * (arguments.large_bytes // 251 + 1)
    if bytes(stalled.body) != expected[: arguments.large_bytes]:
        fail("large", "the body is not the echo's pattern")
    print(f"large-seconds {time.monotonic() - started:.3f}", flush=True)
    print("ok large", flush=True)

    after = client.request("/after")
    client.wait("after", lambda: client.done(after))
    check_echo("after", client, after, "/after")
    print("ok after", flush=True)
    client.connection.close_connection()
    client.send()
    half_close(sock)


if __name__ == "__main__":
    main()
