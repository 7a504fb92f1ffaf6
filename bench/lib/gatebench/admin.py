"""Reading Gatehouse's admin endpoint."""

from __future__ import annotations

import re
import time

from . import proc
from .common import GATEHOUSE_ADMIN_PORT, HOST


def metrics(port: int = GATEHOUSE_ADMIN_PORT) -> str:
    return proc.request(port, "/metrics", HOST, timeout=5).body.decode(errors="replace")


def snapshot_version(port: int = GATEHOUSE_ADMIN_PORT) -> int | None:
    try:
        match = re.search(r"^gatehouse_snapshot_version (\d+)", metrics(port), re.M)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def wait_version_above(version: int, timeout: float, interval: float = 0.002,
                       port: int = GATEHOUSE_ADMIN_PORT) -> tuple[int | None, float]:
    """Polls until the snapshot version exceeds `version`; returns (new version or None, seconds waited)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        current = snapshot_version(port)
        if current is not None and current > version:
            return current, time.monotonic() - start
        time.sleep(interval)
    return None, time.monotonic() - start
