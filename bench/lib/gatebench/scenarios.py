"""The side-by-side scenarios."""

from __future__ import annotations

from dataclasses import dataclass

from .common import UPLOAD_BYTES


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    tool: str  # "wrk", "h2load" or "tlsload" (lib/tlsload/tlsload.c: a TLS handshake per request)
    path: str
    mode: str = "keepalive"  # wrk: keepalive | close | upload
    connections: int = 64
    streams: int = 1
    tls: bool = False
    h2: bool = False
    upload: int = 0
    resume: bool = False  # tlsload: resumed handshakes (-r) instead of full ones

    def describe_load(self) -> str:
        if self.tool == "h2load":
            return f"h2load -t1 -c{self.connections} -m{self.streams}"
        if self.tool == "tlsload":
            if self.resume:
                return f"tlsload -r -c{self.connections}, resumed handshakes + Connection: close"
            return f"tlsload -c{self.connections}, full handshakes + Connection: close"
        extra = {"close": " + Connection: close", "upload": f" POST {self.upload >> 20} MiB"}.get(self.mode, "")
        return f"wrk -t1 -c{self.connections}{extra}"


SCENARIOS = [
    Scenario("h1-small", "HTTP/1.1 keep-alive, 100 B responses", "wrk", "/static/small", connections=64),
    Scenario("h1-1k", "HTTP/1.1 keep-alive, 1,000 connections, 100 B responses", "wrk", "/static/small",
             connections=1000),
    Scenario("h1-64k", "HTTP/1.1 keep-alive, 64 KiB responses", "wrk", "/static/64k", connections=32),
    Scenario("h1-newconn", "HTTP/1.1, a new connection per request", "wrk", "/static/small", mode="close", connections=16),
    Scenario("h1-tls", "HTTP/1.1 over TLS, keep-alive, 100 B", "wrk", "/static/small", tls=True, connections=64),
    Scenario("h2-tls", "HTTP/2 over TLS, 8 connections x 32 streams, 100 B", "h2load", "/static/small", tls=True,
             h2=True, connections=8, streams=32),
    Scenario("tls-handshake", "TLS handshakes (resumed with the previous connection's ticket): a new TLS connection per "
             "request", "tlsload", "/static/small", mode="close", tls=True, connections=16, resume=True),
    Scenario("tls-full", "TLS full handshakes (no resumption): a new TLS connection per request", "tlsload",
             "/static/small", mode="close", tls=True, connections=16),
    Scenario("upload", "8 MiB uploads (POST, streamed to the backend)", "wrk", "/upload", mode="upload", connections=4,
             upload=UPLOAD_BYTES),
]

BY_KEY = {s.key: s for s in SCENARIOS}


@dataclass(frozen=True)
class Pinning:
    key: str
    title: str
    threads: int
    both_cores: bool


PINNINGS = [
    Pinning("1core", "proxy on core 1 with 1 worker/thread; load generator and backend on core 0", 1, False),
    Pinning("2core", "proxy allowed cores 0-1 with 2 workers/threads; load generator and backend on core 0", 2, True),
]

PINNING_BY_KEY = {p.key: p for p in PINNINGS}
