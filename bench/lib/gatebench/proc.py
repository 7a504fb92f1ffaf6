"""Starting, measuring and stopping the processes under test (only processes this harness started)."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may contain spaces; everything after the last ')' is space separated.
    return text[text.rindex(")") + 2 :].split()


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (nginx master + workers, for instance)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is None:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    result, todo = [], [root]
    while todo:
        pid = todo.pop()
        if Path(f"/proc/{pid}").exists():
            result.append(pid)
        todo.extend(children.get(pid, []))
    return result


def cpu_times(pids: list[int]) -> tuple[float, float]:
    """utime and stime of the processes (all their threads, live or exited), in seconds."""
    user = system = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            user += int(fields[11])  # fields 14 and 15 of /proc/PID/stat
            system += int(fields[12])
    return user / CLOCK_TICKS, system / CLOCK_TICKS


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes (all their threads, live or exited), in seconds."""
    return sum(cpu_times(pids))


def status_kib(pids: list[int], key: str) -> int:
    """Sum of a /proc/PID/status memory field (VmHWM, VmRSS) over the processes, in KiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def thread_names(pid: int) -> list[str]:
    names = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                names.append(Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip())
            except OSError:
                pass
    except OSError:
        pass
    return names


def machine_busy_seconds() -> float:
    """Busy CPU time of the whole machine (all cores), from /proc/stat."""
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in parts]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / CLOCK_TICKS


SYSCALLS = ["read", "readv", "recvfrom", "recvmsg", "write", "writev", "sendto", "sendmsg", "epoll_wait",
            "epoll_pwait", "epoll_ctl", "accept4", "connect", "close", "shutdown", "setsockopt", "getsockopt",
            "futex", "timerfd_settime", "mmap", "munmap", "madvise", "brk", "clock_gettime", "getrandom"]


class SyscallCount:
    """Syscalls made by some processes between `start()` and `stop()`, counted by perf's syscall tracepoints.

    `stop()` returns the counts by syscall name ("all" for every syscall), or None when perf is missing or failed.
    perf needs a moment to attach: `start()` waits `settle` seconds, which the caller must not measure.
    """

    def __init__(self, pids: list[int], out: Path, settle: float = 0.5):
        self.pids, self.out, self.settle = pids, out, settle
        self.perf: subprocess.Popen | None = None

    def start(self) -> "SyscallCount":
        if shutil.which("perf") is None or not self.pids:
            return self
        events = ",".join(["raw_syscalls:sys_enter"] + [f"syscalls:sys_enter_{name}" for name in SYSCALLS])
        self.perf = subprocess.Popen(["perf", "stat", "-x,", "-o", str(self.out), "-e", events,
                                      "-p", ",".join(map(str, self.pids))],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(self.settle)
        return self

    def stop(self) -> dict[str, int] | None:
        if self.perf is None:
            return None
        os.killpg(self.perf.pid, signal.SIGINT)
        self.perf.wait(timeout=30)
        counts = {}
        for line in self.out.read_text().splitlines() if self.out.exists() else []:
            parts = line.split(",")
            if len(parts) > 2 and parts[0].strip().isdigit():
                name = parts[2].replace("syscalls:sys_enter_", "").replace("raw_syscalls:sys_enter", "all")
                counts[name] = int(parts[0])
        return counts or None


def per_request(counts: dict[str, int] | None, requests: int) -> dict[str, float] | None:
    """Syscall counts divided by a number of requests (the non-zero ones)."""
    if not counts or not requests:
        return None
    return {k: v / requests for k, v in counts.items() if v}


def describe_syscalls(per_req: dict[str, float]) -> str:
    """"12.3 (read 2.00, writev 2.00, ...)": the total per request and the calls made at least once per 100."""
    main = ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_req.items(), key=lambda kv: -kv[1]) if k != "all" and v >= 0.01)
    return f"{per_req.get('all', 0):.2f} ({main})"


@dataclass
class Proc:
    """A process (group) this harness started."""

    name: str
    popen: subprocess.Popen
    log_path: Path
    pinned: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def pids(self) -> list[int]:
        return process_tree(self.pid)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def cpu(self) -> float:
        return cpu_seconds(self.pids())

    def peak_rss_kib(self) -> int:
        return status_kib(self.pids(), "VmHWM")

    def rss_kib(self) -> int:
        return status_kib(self.pids(), "VmRSS")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Signals the process group this harness created for it; SIGKILL after `timeout`."""
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.popen.wait(timeout=10)
        # Workers of a master that died first (nginx) live in the same group: make sure they are gone.
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start(name: str, command: list[str], log_path: Path, cores: str | None = None, env: dict[str, str] | None = None,
          cwd: Path | None = None) -> Proc:
    """Starts `command` in its own session (so the whole group can be stopped), pinned with taskset."""
    full = (["taskset", "-c", cores] if cores else []) + command
    log_file = open(log_path, "ab")
    log_file.write(("$ " + " ".join(full) + "\n").encode())
    log_file.flush()
    popen = subprocess.Popen(full, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True, env={**os.environ, **(env or {})}, cwd=cwd)
    log_file.close()
    return Proc(name=name, popen=popen, log_path=log_path, pinned=cores)


def wait_port(port: int, timeout: float = 20.0, proc: Proc | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    alpn: str | None = None


def request(port: int, path: str, host: str, method: str = "GET", body: bytes | None = None, tls: bool = False,
            timeout: float = 5.0) -> Reply:
    """One HTTP/1.1 request to 127.0.0.1:port with the given Host (and SNI, over TLS)."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        sock = context.wrap_socket(raw, server_hostname=host)
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        conn.sock = sock
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": host})
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def probe_tls(port: int, host: str, timeout: float = 3.0) -> tuple[bool, str | None, str]:
    """(handshake succeeded, negotiated ALPN, detail) offering h2 and http/1.1."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2", "http/1.1"])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host) as sock:
                return True, sock.selected_alpn_protocol(), sock.version() or ""
    except (OSError, ssl.SSLError) as error:
        return False, None, str(error)


def wait_http(port: int, host: str, path: str, timeout: float = 30.0, tls: bool = False, proc: Proc | None = None,
              want: int = 200) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            return False
        try:
            if request(port, path, host, tls=tls, timeout=1.0).status == want:
                return True
        except (OSError, http.client.HTTPException, ssl.SSLError):
            pass
        time.sleep(0.1)
    return False
