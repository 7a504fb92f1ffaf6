"""A fixed-count HTTP/1.1 client: exactly N sequential keep-alive GETs (reconnecting when the server closes), so
that counts of instructions or syscalls can be divided by a known number of requests."""

from __future__ import annotations

import socket
import time


class ClientError(Exception):
    pass


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bool, bytearray]:
    """Reads one response; returns (status, server wants close, leftover bytes)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ClientError("connection closed before the response head")
        buffer += chunk
    end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:end]).decode("latin-1")
    rest = buffer[end:]
    lines = head.split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, close = None, False, lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        if ":" not in line:
            continue
        name, value = line.split(":", 1)
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection":
            close = "close" in value
    if chunked:
        while True:
            while b"\r\n" not in rest:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ClientError("closed inside a chunked body")
                rest += chunk
            line_end = rest.index(b"\r\n")
            size = int(bytes(rest[:line_end]).split(b";")[0], 16)
            need = line_end + 2 + size + 2
            while len(rest) < need:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ClientError("closed inside a chunk")
                rest += chunk
            rest = rest[need:]
            if size == 0:
                return status, close, rest
    length = length or 0
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ClientError("closed inside the body")
        rest += chunk
    return status, close, rest[length:]


def run(port: int, host: str, path: str, count: int, timeout: float = 60.0, close_each: bool = False) -> dict:
    """Sends `count` GETs one after another; returns counts of statuses, reconnections and failures. With
    `close_each`, every request says `Connection: close` and goes on a connection of its own."""
    connection = "Connection: close\r\n" if close_each else ""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: gatebench-fixed\r\nAccept: */*\r\n{connection}\r\n".encode()
    statuses: dict[int, int] = {}
    connects = failures = 0
    sock = None
    buffer = bytearray()
    started = time.monotonic()
    done = 0
    while done < count:
        if sock is None:
            sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = bytearray()
            connects += 1
        try:
            sock.sendall(request)
            status, close, buffer = _read_response(sock, buffer)
        except (OSError, ClientError):
            failures += 1
            sock.close()
            sock = None
            if failures > 100:
                raise
            continue
        statuses[status] = statuses.get(status, 0) + 1
        done += 1
        if close:
            sock.close()
            sock = None
    if sock is not None:
        sock.close()
    return {"requests": done, "statuses": statuses, "connects": connects, "failures": failures,
            "seconds": time.monotonic() - started}
