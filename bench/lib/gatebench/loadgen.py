"""Load generators: wrk (HTTP/1.1, TLS, new connections, uploads), h2load (HTTP/2) and tlsload (full TLS
handshakes, lib/tlsload/tlsload.c), bounded in time."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .common import LOOPBACK, TLSLOAD_SOURCE, TOOLS, WRK_SCRIPT, log


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    error_detail: dict[str, int] = field(default_factory=dict)
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    bytes: int = 0
    loadgen_cpu: float = 0.0
    raw: str = ""
    tls: dict | None = None  # tlsload: handshakes, resumed, protocol, cipher, group, server key, signature

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(url: str, connections: int, seconds: float, cores: str | None, mode: str = "keepalive",
        upload_bytes: int = 0, threads: int = 1, timeout_s: int = 5) -> LoadResult:
    duration = max(1, int(round(seconds)))
    cmd = (["taskset", "-c", cores] if cores else []) + [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout", f"{timeout_s}s",
        "-s", str(WRK_SCRIPT), url, "--", mode, str(upload_bytes),
    ]
    before = _children_cpu()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    cpu = _children_cpu() - before
    out = result.stdout + result.stderr
    return _benchjson(out, "wrk", result.returncode, cpu)


def _benchjson(out: str, tool: str, returncode: int, cpu: float) -> LoadResult:
    """The LoadResult of a tool that printed bench.lua's `BENCHJSON {...}` line (wrk, tlsload)."""
    match = re.search(r"^BENCHJSON (\{.*\})$", out, re.M)
    if not match:
        log(f"{tool} printed no summary (exit {returncode}): {out.strip()[-400:]}")
        return LoadResult(raw=out, loadgen_cpu=cpu, errors=1, error_detail={tool: 1})
    data = json.loads(match.group(1))
    detail = {k: data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts") if data[k]}
    return LoadResult(
        requests=data["requests"], seconds=data["duration_us"] / 1e6, errors=sum(detail.values()), error_detail=detail,
        p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000,
        bytes=data["bytes"], loadgen_cpu=cpu, raw=out,
    )


def tlsload_binary() -> Path:
    """lib/tlsload/tlsload.c compiled into bench/out/tools/tlsload (OpenSSL, libssl-dev), rebuilt when the source
    is newer than the binary. Written under a temporary name first: two runs may build it at once."""
    target = TOOLS / "tlsload"
    if target.exists() and target.stat().st_mtime >= TLSLOAD_SOURCE.stat().st_mtime:
        return target
    TOOLS.mkdir(parents=True, exist_ok=True)
    temporary = TOOLS / f".tlsload-{os.getpid()}"
    command = ["cc", "-O2", "-Wall", "-Wextra", "-o", str(temporary), str(TLSLOAD_SOURCE), "-lssl", "-lcrypto"]
    log("building " + " ".join(command[:-3] + [str(TLSLOAD_SOURCE.relative_to(TLSLOAD_SOURCE.parents[2]))] + command[-2:]))
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        sys.exit(f"cannot build tlsload ({error}): run bench/setup (gcc, libssl-dev)")
    if result.returncode != 0:
        temporary.unlink(missing_ok=True)
        sys.exit(f"building tlsload failed (run bench/setup for gcc and libssl-dev):\n{result.stderr.strip()[-2000:]}")
    if result.stderr.strip():
        log(f"tlsload compiler warnings:\n{result.stderr.strip()[-2000:]}")
    os.replace(temporary, target)
    return target


def tlsload(port: int, host: str, path: str, connections: int, seconds: float, cores: str | None,
            timeout_s: int = 5) -> LoadResult:
    """A full TLS handshake per request (no resumption): `connections` slots, each connect -> handshake -> GET with
    Connection: close -> response -> close, for `seconds` (the client stops by itself)."""
    duration = max(1.0, float(seconds))
    cmd = (["taskset", "-c", cores] if cores else []) + [
        str(tlsload_binary()), LOOPBACK, str(port), host, path, str(connections), f"{duration:g}", str(timeout_s),
    ]
    before = _children_cpu()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
    cpu = _children_cpu() - before
    out = result.stdout + result.stderr
    load = _benchjson(out, "tlsload", result.returncode, cpu)
    match = re.search(r"^TLSINFO (\{.*\})$", out, re.M)
    if match:
        load.tls = json.loads(match.group(1))
        if load.tls.get("resumed"):
            log(f"tlsload: {load.tls['resumed']} of {load.tls['handshakes']} handshakes were resumptions (want 0)")
    return load


def h2load(url: str, connect_port: int, clients: int, streams: int, seconds: float, cores: str | None,
           warmup: float = 1.0) -> LoadResult:
    duration = max(1, int(round(seconds)))
    with tempfile.NamedTemporaryFile(prefix="h2load-", suffix=".log", delete=False) as handle:
        log_file = Path(handle.name)
    cmd = (["taskset", "-c", cores] if cores else []) + [
        "h2load", "-t1", f"-c{clients}", f"-m{streams}", f"-D{duration}", f"--warm-up-time={max(1, int(round(warmup)))}",
        f"--connect-to=127.0.0.1:{connect_port}", f"--log-file={log_file}", url,
    ]
    before = _children_cpu()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + warmup + 60)
    cpu = _children_cpu() - before
    out = result.stdout + result.stderr
    finished = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", out)
    counts = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", out)
    if not finished or not counts:
        log(f"h2load printed no summary (exit {result.returncode}): {out.strip()[-400:]}")
        log_file.unlink(missing_ok=True)
        return LoadResult(raw=out, loadgen_cpu=cpu, errors=1, error_detail={"h2load": 1})
    latencies = []
    try:
        for line in log_file.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                latencies.append(int(parts[2]))
    finally:
        log_file.unlink(missing_ok=True)
    latencies.sort()

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] / 1000

    done = int(counts.group(3))
    # "failed" = done but not 2xx/3xx; "errored" = never completed (timeouts are among them).
    detail = {"failed": int(counts.group(5)), "errored": int(counts.group(6))}
    detail = {k: v for k, v in detail.items() if v}
    return LoadResult(
        requests=done, seconds=float(finished.group(1)), errors=sum(detail.values()), error_detail=detail,
        p50_ms=pct(50), p99_ms=pct(99), max_ms=latencies[-1] / 1000 if latencies else None, loadgen_cpu=cpu, raw=out,
    )
