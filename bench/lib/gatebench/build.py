"""The release build of gatehouse, built the way the project builds it, skipped when up to date."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .common import REPO, log

SCRATCH = ".build-release"


def release_binary(repo: Path = REPO) -> Path:
    return repo / SCRATCH / "release" / "gatehouse"


def _newest_source(repo: Path) -> float:
    newest = 0.0
    for path in [repo / "Package.swift", *(repo / "Sources").rglob("*.swift")]:
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            pass
    return newest


def ensure_release(repo: Path = REPO, build: bool = True) -> Path:
    """`scripts/build-release` (the shipped release build, into .build-release), unless the binary is newer than
    every source file (or `build` is False and a binary exists)."""
    binary = release_binary(repo)
    if binary.exists() and (not build or binary.stat().st_mtime >= _newest_source(repo)):
        return binary
    if not build:
        sys.exit(f"no release binary at {binary}: run without --no-build")
    log("building gatehouse (release) ...")
    command = [str(repo / "scripts" / "build-release")]
    result = subprocess.run(command, cwd=repo)
    if result.returncode != 0 or not binary.exists():
        sys.exit(f"release build failed: cd {repo} && {' '.join(command)}")
    return binary


def frozen_copy(binary: Path, directory: Path, strip: bool = False) -> Path:
    """A copy of the binary for this run (others may rebuild the original meanwhile); optionally
    `strip --strip-debug` (valgrind 3.19 cannot read Swift 6.3's DWARF 5)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / ("gatehouse-stripped" if strip else "gatehouse")
    shutil.copy2(binary, target)
    if strip:
        subprocess.run(["strip", "--strip-debug", str(target)], check=True)
    return target


def serve_help(binary: Path) -> str:
    try:
        result = subprocess.run([str(binary), "serve", "--help"], capture_output=True, text=True, timeout=20)
        return result.stdout + result.stderr
    except (OSError, subprocess.TimeoutExpired):
        return ""
