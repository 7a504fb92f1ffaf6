"""Load generators: wrk (HTTP/1.1, TLS, new connections, uploads), h2load (HTTP/2) and tlsload (TLS handshakes,
full or resumed, lib/tlsload/tlsload.c), bounded in time."""

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

from .common import BORINGSSL_HEADERS, BORINGSSL_OBJECTS, LOOPBACK, TLSLOAD_SOURCE, TOOLS, WRK_SCRIPT, log


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


def boringssl_objects() -> list[Path]:
    """The object files of BoringSSL as Gatehouse's release build compiled it (swift-nio-ssl's CNIOBoringSSL), or
    none when there is no release build."""
    return sorted(BORINGSSL_OBJECTS.rglob("*.o")) if BORINGSSL_OBJECTS.is_dir() else []


def tlsload_library(wanted: str) -> str:
    """The TLS library tlsload is linked with: `wanted`, or OpenSSL when BoringSSL's objects are missing."""
    if wanted == "boringssl" and not (boringssl_objects() and BORINGSSL_HEADERS.is_dir()):
        log("tlsload: no BoringSSL objects in .build-release (no release build): using OpenSSL")
        return "openssl"
    return wanted


def tlsload_binary(library: str = "openssl") -> Path:
    """lib/tlsload/tlsload.c compiled into bench/out/tools/tlsload (OpenSSL, libssl-dev) or tlsload-boringssl
    (linked with the BoringSSL objects of Gatehouse's release build, through a directory of `openssl/*.h` headers
    that include BoringSSL's), rebuilt when an input is newer than the binary. Written under a temporary name first:
    two runs may build it at once."""
    if library == "boringssl":
        target = TOOLS / "tlsload-boringssl"
        objects = boringssl_objects()
        shims = TOOLS / "boringssl-include" / "openssl"
        shims.mkdir(parents=True, exist_ok=True)
        for name in ("crypto", "err", "evp", "objects", "ssl", "x509"):
            (shims / f"{name}.h").write_text(f'#include "CNIOBoringSSL_{name}.h"\n')
        flags = ["-I", str(shims.parent), "-I", str(BORINGSSL_HEADERS)]
        libraries = [str(o) for o in objects] + ["-lpthread", "-lstdc++"]
        newest = max([TLSLOAD_SOURCE.stat().st_mtime] + [o.stat().st_mtime for o in objects])
    else:
        target = TOOLS / "tlsload"
        flags, libraries = [], ["-lssl", "-lcrypto"]
        newest = TLSLOAD_SOURCE.stat().st_mtime
    if target.exists() and target.stat().st_mtime >= newest:
        return target
    TOOLS.mkdir(parents=True, exist_ok=True)
    temporary = TOOLS / f".{target.name}-{os.getpid()}"
    command = ["cc", "-O2", "-Wall", "-Wextra", *flags, "-o", str(temporary), str(TLSLOAD_SOURCE), *libraries]
    shown = "(BoringSSL's objects)" if library == "boringssl" else " ".join(libraries)
    log(f"building {target.name}: cc -O2 -Wall -Wextra … {TLSLOAD_SOURCE.relative_to(TLSLOAD_SOURCE.parents[2])} {shown}")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
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
            library: str = "openssl", resume: bool = False, timeout_s: int = 5) -> LoadResult:
    """A TLS handshake per request: `connections` slots, each connect -> handshake -> GET with Connection: close ->
    response -> close, for `seconds` (the client stops by itself). Full handshakes, or with `resume` each slot
    resumes with the ticket of its previous connection."""
    duration = max(1.0, float(seconds))
    cmd = (["taskset", "-c", cores] if cores else []) + [str(tlsload_binary(library))] + (["-r"] if resume else []) + [
        LOOPBACK, str(port), host, path, str(connections), f"{duration:g}", str(timeout_s),
    ]
    before = _children_cpu()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
    cpu = _children_cpu() - before
    out = result.stdout + result.stderr
    load = _benchjson(out, "tlsload", result.returncode, cpu)
    match = re.search(r"^TLSINFO (\{.*\})$", out, re.M)
    if match:
        load.tls = json.loads(match.group(1))
        handshakes, resumed = load.tls.get("handshakes", 0), load.tls.get("resumed", 0)
        if not resume and resumed:
            log(f"tlsload: {resumed} of {handshakes} handshakes were resumptions (want 0)")
        if resume and handshakes - resumed > connections:
            log(f"tlsload -r: only {resumed} of {handshakes} handshakes were resumptions")
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
