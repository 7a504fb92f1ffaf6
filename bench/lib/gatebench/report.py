"""Medians, ratios and the Markdown written to bench/RESULTS.md."""

from __future__ import annotations

import statistics
from pathlib import Path

RUNS_MARKER = "<!-- bench/run inserts each new run below this line (newest first) -->"
CALLGRIND_MARKER = "<!-- bench/callgrind --record appends rows above this line -->"

RESULTS_TEMPLATE = f"""# Gatehouse benchmark results

Produced by the scripts in `bench/` (see `bench/README.md`). Wall-clock figures on this 2-core VM are noisy: compare
ratios measured in the same run, and use the callgrind figure (user-space instructions per request, repeatable within
0.1%) as the regression gate.

## Instructions per request (callgrind gate)

| Date | Commit | Proxy | Instructions/request | Requests (N1, N2) | Note |
|---|---|---|---|---|---|
{CALLGRIND_MARKER}

## Side-by-side runs

{RUNS_MARKER}
"""


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def fmt_range(values: list[float], digits: int = 0) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    m = statistics.median(values)
    if len(values) == 1:
        return fmt(m, digits)
    return f"{fmt(m, digits)} ({fmt(min(values), digits)}–{fmt(max(values), digits)})"


def ensure_results_file(path: Path) -> str:
    if path.exists():
        text = path.read_text()
        if RUNS_MARKER in text and CALLGRIND_MARKER in text:
            return text
        if RUNS_MARKER not in text:
            text += f"\n## Side-by-side runs\n\n{RUNS_MARKER}\n"
        if CALLGRIND_MARKER not in text:
            text += f"\n## Instructions per request (callgrind gate)\n\n| Date | Commit | Proxy | Instructions/request | Requests (N1, N2) | Note |\n|---|---|---|---|---|---|\n{CALLGRIND_MARKER}\n"
        return text
    return RESULTS_TEMPLATE


def insert_run(path: Path, section: str) -> None:
    text = ensure_results_file(path)
    text = text.replace(RUNS_MARKER, RUNS_MARKER + "\n\n" + section.strip() + "\n", 1)
    path.write_text(text)


def append_callgrind_row(path: Path, row: str) -> None:
    text = ensure_results_file(path)
    text = text.replace(CALLGRIND_MARKER, row.rstrip() + "\n" + CALLGRIND_MARKER, 1)
    path.write_text(text)
