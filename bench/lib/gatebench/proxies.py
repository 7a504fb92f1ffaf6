"""The targets: Gatehouse, nginx, HAProxy, Caddy, and `direct` (the client talking to the backend, no proxy)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import configs, proc
from .build import serve_help
from .common import ALT_HOST, BACKEND_PORTS, GATEHOUSE_ADMIN_PORT, HOST, HTTP_PORTS, HTTPS_PORTS, log

CPUSET_FILE = Path("/sys/fs/cgroup/cpuset/cpuset.cpus")


@dataclass
class Setup:
    """Shared inputs: the run directory, the certificate, the Gatehouse binary and manifests."""

    root: Path
    crt: Path
    key: Path
    pem: Path
    gatehouse_binary: Path
    manifests: Path
    backend_ports: tuple[int, ...] = BACKEND_PORTS


@dataclass
class Target:
    name: str
    setup: Setup
    notes: list[str] = field(default_factory=list)
    tls: bool | None = None  # None: not probed yet
    h2: bool | None = None
    tls_detail: str = ""

    @property
    def http_port(self) -> int:
        return HTTP_PORTS[self.name]

    @property
    def https_port(self) -> int | None:
        return HTTPS_PORTS.get(self.name)

    def start(self, threads: int, cores: str | None, tag: str) -> proc.Proc:
        raise NotImplementedError

    def ready(self, p: proc.Proc, timeout: float = 30.0) -> bool:
        return proc.wait_http(self.http_port, HOST, "/static/small", timeout=timeout, proc=p)

    def probe(self) -> None:
        """Finds out (once, on a running instance) whether TLS and HTTP/2 work."""
        if self.https_port is None:
            self.tls, self.h2, self.tls_detail = False, False, "no TLS listener"
            return
        ok, alpn, detail = proc.probe_tls(self.https_port, HOST)
        self.tls, self.h2, self.tls_detail = ok, ok and alpn == "h2", detail if not ok else f"{detail}, ALPN {alpn}"


class Direct(Target):
    """No proxy: the load generator talks to backend 1 directly (the physical limit of the client + backend core)."""

    def start(self, threads: int, cores: str | None, tag: str) -> proc.Proc | None:
        return None

    def ready(self, p, timeout: float = 30.0) -> bool:
        return True

    def probe(self) -> None:
        self.tls, self.h2, self.tls_detail = False, False, "the backend has no TLS listener"


class Nginx(Target):
    def start(self, threads: int, cores: str | None, tag: str) -> proc.Proc:
        conf = configs.nginx_proxy(self.setup.root, threads, self.http_port, self.https_port, self.setup.crt,
                                   self.setup.key, self.setup.backend_ports)
        return proc.start("nginx", ["nginx", "-p", str(conf.parent), "-c", str(conf)],
                          self.setup.root / f"nginx-{tag}.log", cores=cores)


def nginx_one_process(setup: Setup, root: Path, http_port: int, https_port: int) -> list[str]:
    """nginx as ingress-nginx configures it, with one worker and no master: one process to pin, count or profile."""
    conf = configs.nginx_proxy(root, 1, http_port, https_port, setup.crt, setup.key, setup.backend_ports)
    return ["nginx", "-p", str(conf.parent), "-c", str(conf), "-g", "master_process off;"]


class HAProxy(Target):
    def start(self, threads: int, cores: str | None, tag: str) -> proc.Proc:
        conf = configs.haproxy(self.setup.root, threads, self.http_port, self.https_port, self.setup.pem,
                               self.setup.backend_ports)
        return proc.start("haproxy", ["haproxy", "-db", "-f", str(conf)], self.setup.root / f"haproxy-{tag}.log",
                          cores=cores)


class Caddy(Target):
    def start(self, threads: int, cores: str | None, tag: str) -> proc.Proc:
        conf = configs.caddyfile(self.setup.root, self.http_port, self.https_port, self.setup.crt, self.setup.key,
                                 self.setup.backend_ports)
        home = conf.parent / "home"
        home.mkdir(exist_ok=True)
        env = {"GOMAXPROCS": str(threads), "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
               "XDG_CONFIG_HOME": str(home / "config")}
        return proc.start("caddy", ["caddy", "run", "--config", str(conf), "--adapter", "caddyfile"],
                          self.setup.root / f"caddy-{tag}.log", cores=cores, env=env)


class Gatehouse(Target):
    """`gatehouse serve` on the generated manifests. Thread count: `--threads N` when the binary has it; otherwise
    (NIO sizes its event loop group by System.coreCount, which reads the cgroup cpuset, not the taskset affinity)
    a private mount namespace where the cpuset file lists N CPUs."""

    def __init__(self, name: str, setup: Setup):
        super().__init__(name, setup)
        help_text = serve_help(setup.gatehouse_binary)
        self.threads_flag = next((flag for flag in ("--threads", "--event-loop-threads", "--workers")
                                  if re.search(rf"{flag}\b", help_text)), None)
        self.https_flag = "--https-port" in help_text
        self.thread_method = ""

    def command(self, threads: int, ports: tuple[int, int, int] | None = None) -> tuple[list[str], str]:
        """The command line and how its thread count is set; `ports` (HTTP, admin, HTTPS) instead of this target's
        own, for a second instance next to it."""
        s = self.setup
        http_port, admin_port, https_port = ports or (self.http_port, GATEHOUSE_ADMIN_PORT, self.https_port)
        args = [str(s.gatehouse_binary), "serve", "--manifests", str(s.manifests), "--http-port", str(http_port),
                "--admin-port", str(admin_port), "--bind", "127.0.0.1", "--log-level", "warning"]
        if self.https_flag:
            args += ["--https-port", str(https_port)]
        if self.threads_flag:
            return args + [self.threads_flag, str(threads)], f"{self.threads_flag} {threads}"
        if os.geteuid() == 0 and CPUSET_FILE.exists() and _which("unshare"):
            cpus = s.root / f"cpuset-{threads}"
            cpus.write_text("0\n" if threads == 1 else f"0-{threads - 1}\n")
            wrapped = ["unshare", "-m", "sh", "-c", f'mount --bind {cpus} {CPUSET_FILE} && exec "$0" "$@"'] + args
            return wrapped, f"cpuset bind-mount ({threads}; no --threads flag yet)"
        return args, "default (System.coreCount; no --threads flag yet)"

    def start(self, threads: int, cores: str | None, tag: str) -> proc.Proc:
        command, method = self.command(threads)
        self.thread_method = method
        p = proc.start("gatehouse", command, self.setup.root / f"gatehouse-{tag}.log", cores=cores)
        return p

    def ready(self, p: proc.Proc, timeout: float = 30.0) -> bool:
        if not proc.wait_http(GATEHOUSE_ADMIN_PORT, HOST, "/readyz", timeout=timeout, proc=p):
            return False
        return proc.wait_http(self.http_port, HOST, "/static/small", timeout=timeout, proc=p)

    @staticmethod
    def event_loops(p: proc.Proc) -> int:
        return sum(1 for name in proc.thread_names(p.pid) if name.startswith("NIO-ELT"))


def _which(command: str) -> bool:
    from shutil import which

    return which(command) is not None


def make(name: str, setup: Setup) -> Target:
    return {"direct": Direct, "nginx": Nginx, "haproxy": HAProxy, "caddy": Caddy, "gatehouse": Gatehouse}[name](name, setup)


def start_backend(setup: Setup, www: Path, cores: str | None, ports: tuple[int, ...] | None = None,
                  name: str = "backend") -> proc.Proc:
    ports = ports or setup.backend_ports
    conf = configs.backend_nginx(setup.root, www, ports, name)
    p = proc.start(name, ["nginx", "-p", str(conf.parent), "-c", str(conf)], setup.root / f"{name}.log", cores=cores)
    for port in ports:
        if not proc.wait_http(port, HOST, "/static/small", timeout=15, proc=p):
            raise RuntimeError(f"backend {name} did not answer on {port}:\n{p.tail()}")
    return p


def check_routing(target: Target, upload_bytes: int = 1 << 20) -> list[str]:
    """Problems with the target's routing: 200 for both hosts, both backends in turn, 404 for an unknown host,
    an upload of `upload_bytes` accepted. Empty when all is well."""
    problems = []
    port = target.http_port
    seen = set()
    for _ in range(4):
        reply = proc.request(port, "/static/small", HOST)
        if reply.status != 200:
            problems.append(f"GET {HOST}/static/small -> {reply.status}")
            break
        seen.add(reply.headers.get("x-backend"))
    if target.name != "direct":
        if len(seen) < 2:
            problems.append(f"round-robin: only backends {sorted(x or '?' for x in seen)} answered")
        reply = proc.request(port, "/", ALT_HOST)
        if reply.status != 200:
            problems.append(f"GET {ALT_HOST}/ -> {reply.status}")
        reply = proc.request(port, "/static/small", "unknown.example")
        if reply.status != 404:
            problems.append(f"GET unknown.example/static/small -> {reply.status} (want 404)")
    reply = proc.request(port, "/static/64k", HOST)
    if reply.status != 200 or len(reply.body) != 65536:
        problems.append(f"GET /static/64k -> {reply.status}, {len(reply.body)} bytes")
    reply = proc.request(port, "/upload", HOST, method="POST", body=b"u" * upload_bytes, timeout=20)
    if reply.status != 200:
        problems.append(f"POST /upload ({upload_bytes} bytes) -> {reply.status}")
    return problems
