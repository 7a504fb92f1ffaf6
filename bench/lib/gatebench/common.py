"""Paths, ports and small helpers shared by every bench script."""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2]
REPO = BENCH.parent
LIB = BENCH / "lib"
WRK_SCRIPT = LIB / "wrk" / "bench.lua"
TLSLOAD_SOURCE = LIB / "tlsload" / "tlsload.c"
# BoringSSL as Gatehouse's release build (scripts/build-release) compiled it: tlsload can link with it.
BORINGSSL_OBJECTS = REPO / ".build-release" / "release" / "CNIOBoringSSL.build"
BORINGSSL_HEADERS = REPO / ".build-release" / "checkouts" / "swift-nio-ssl" / "Sources" / "CNIOBoringSSL" / "include"
OUT = BENCH / "out"
TOOLS = OUT / "tools"  # helpers the harness compiles on demand (bench/out is not in git)

HOST = "bench.local"
ALT_HOST = "other.bench.local"
LOOPBACK = "127.0.0.1"

def free_ports(count: int) -> list[int]:
    """`count` ports on 127.0.0.1 that nothing listens on now, below the ephemeral range (so no client's source port
    takes them), from a random start: other sessions on this machine run their own servers and tests."""
    import random
    import socket

    if os.environ.get("BENCH_PORT_BASE"):
        base = int(os.environ["BENCH_PORT_BASE"])
        return list(range(base, base + count))
    ports: list[int] = []
    candidate = random.randrange(20000, 30000)
    while len(ports) < count and candidate < 32760:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
                ports.append(candidate)
            except OSError:
                pass
        candidate += 1
    return ports


# Chosen once per process (every script is one process): the backend's two ports, then per proxy HTTP and HTTPS,
# then Gatehouse's admin port. Set BENCH_PORT_BASE=N to use N, N+1, ... instead.
_PORTS = free_ports(11)

# The fast static backend: one nginx process (worker_processes 1) on two loopback ports = two "pods".
BACKEND_PORTS = (_PORTS[0], _PORTS[1])

# Each proxy gets its own ports so a lingering socket of one never disturbs the next.
HTTP_PORTS = {"gatehouse": _PORTS[2], "nginx": _PORTS[3], "haproxy": _PORTS[4], "caddy": _PORTS[5], "direct": BACKEND_PORTS[0]}
HTTPS_PORTS = {"gatehouse": _PORTS[6], "nginx": _PORTS[7], "haproxy": _PORTS[8], "caddy": _PORTS[9]}
GATEHOUSE_ADMIN_PORT = _PORTS[10]

SMALL_BYTES = 100
LARGE_BYTES = 64 * 1024
UPLOAD_BYTES = 8 * 1024 * 1024

PROXIES = ("nginx", "gatehouse", "haproxy", "caddy")


def log(message: str) -> None:
    print(f"[bench {datetime.datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def cores() -> tuple[str, str, str]:
    """(load generator + backend core, proxy core, both cores) as taskset lists."""
    count = os.cpu_count() or 1
    if count < 2:
        log("warning: only one core; everything shares core 0 (figures are not comparable to 2-core runs)")
        return "0", "0", "0"
    return "0", "1", "0,1"


def loadavg() -> tuple[float, float, float]:
    parts = Path("/proc/loadavg").read_text().split()
    return float(parts[0]), float(parts[1]), float(parts[2])


def machine_description() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), {mem_kib / 1048576:.0f} GiB, Linux {platform.release()}"


def tool_versions() -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return "not found"
        text = (result.stdout + result.stderr).strip().splitlines()
        return text[0].strip() if text else "?"

    return {
        "nginx": first_line(["nginx", "-v"]),
        "haproxy": first_line(["haproxy", "-v"]),
        "caddy": first_line(["caddy", "version"]),
        "wrk": first_line(["wrk", "-v"]).split(" Copyright")[0],
        "h2load": first_line(["h2load", "--version"]),
        "valgrind": first_line(["valgrind", "--version"]),
    }


def git_describe(repo: Path = REPO) -> str:
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--", "Sources", "Package.swift"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return head + ("+dirty" if dirty else "") if head else "unknown"


def need(*commands: str) -> None:
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: run bench/setup first")


def new_run_dir(kind: str) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = OUT / f"{stamp}-{kind}"
    path.mkdir(parents=True, exist_ok=True)
    latest = OUT / f"latest-{kind}"
    try:
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(path.name)
    except OSError:
        pass
    return path


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def describe_build(binary_arg) -> str:
    """How a script's report names the Gatehouse it measured."""
    return f"binary `{binary_arg}`" if binary_arg else f"commit {git_describe()}"
