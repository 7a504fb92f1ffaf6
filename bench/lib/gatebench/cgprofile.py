"""Per-function self cost from callgrind output files, and the per-request profile as the difference of two runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

_NAME = re.compile(r"^\((\d+)\)(?: (.*))?$")


def self_costs(path: Path) -> dict[tuple[str, str], int]:
    """{(object, function): self Ir} of one callgrind.out file (name compression and call lines handled)."""
    return parse(path)[0]


def parse(path: Path) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str, str, str], int]]:
    """({(object, function): self Ir}, {(caller object, caller, callee object, callee): inclusive Ir of the calls})."""
    names: dict[str, dict[str, str]] = {"ob": {}, "fn": {}}
    costs: dict[tuple[str, str], int] = defaultdict(int)
    edges: dict[tuple[str, str, str, str], int] = defaultdict(int)
    current_ob, current_fn = "?", "?"
    callee_ob, callee_fn = None, "?"
    skip_next = False

    def resolve(kind: str, text: str) -> str:
        match = _NAME.match(text)
        if not match:
            return text
        key, name = match.group(1), match.group(2)
        if name is not None:
            names[kind][key] = name
            return name
        return names[kind].get(key, text)

    with open(path, errors="replace") as handle:
        for line in handle:
            if not line or line[0] in "#\n":
                continue
            first = line[0]
            if first.isdigit() or first in "+-*":
                parts = line.split()
                if skip_next:
                    skip_next = False
                    if len(parts) >= 2:
                        edges[(current_ob, current_fn, callee_ob or current_ob, callee_fn)] += int(parts[1])
                    callee_ob = None
                    continue
                if len(parts) >= 2:
                    costs[(current_ob, current_fn)] += int(parts[1])
                continue
            key, _, value = line.rstrip("\n").partition("=")
            if key == "ob":
                current_ob = resolve("ob", value)
            elif key == "fn":
                current_fn = resolve("fn", value)
            elif key == "cob":
                callee_ob = resolve("ob", value)
            elif key == "cfn":
                callee_fn = resolve("fn", value)
            elif key == "calls":
                skip_next = True
    return costs, edges


def merged(paths: list[Path]) -> dict[tuple[str, str], int]:
    total: dict[tuple[str, str], int] = defaultdict(int)
    for path in paths:
        for key, value in self_costs(path).items():
            total[key] += value
    return total


def per_request(low: list[Path], high: list[Path], requests: int) -> list[tuple[float, str, str]]:
    """[(self instructions per request, object, function)] from the difference of two runs, largest first."""
    a, b = merged(low), merged(high)
    rows = []
    for key in set(a) | set(b):
        delta = (b.get(key, 0) - a.get(key, 0)) / requests
        if abs(delta) >= 0.5:
            rows.append((delta, Path(key[0]).name, key[1]))
    rows.sort(reverse=True)
    return rows


_SYMBOL = re.compile(r"^[A-Za-z_$.][A-Za-z0-9_$.]*$")


def hot_symbols(rows: list[tuple[float, str, str]], own: str, floor: float = 0.3) -> list[str]:
    """Names of the functions of the object `own` that cost at least `floor` instructions per request, largest
    first, as the linker knows them (callgrind's recursion marks dropped; names that are not symbols skipped)."""
    names: list[str] = []
    for cost, obj, name in rows:
        symbol = re.sub(r"'\d+$", "", name)
        if obj == own and cost >= floor and _SYMBOL.match(symbol) and symbol not in names:
            names.append(symbol)
    return names


def boundary_calls(low: list[Path], high: list[Path], requests: int, own: str) -> list[tuple[float, str, str, str]]:
    """[(inclusive instructions per request, caller, callee object, callee)] for calls from the object `own` (the
    proxy binary) into other objects (the Swift runtime, Foundation, libc), largest first."""
    def edges(paths):
        total = defaultdict(int)
        for path in paths:
            for key, value in parse(path)[1].items():
                total[key] += value
        return total
    a, b = edges(low), edges(high)
    rows = []
    for key in set(a) | set(b):
        caller_ob, caller, callee_ob, callee = key
        if Path(caller_ob).name != own or Path(callee_ob).name == own:
            continue
        delta = (b.get(key, 0) - a.get(key, 0)) / requests
        if delta >= 20:
            rows.append((delta, caller, Path(callee_ob).name, callee))
    rows.sort(reverse=True)
    return rows


def demangle(names: list[str]) -> list[str]:
    """Swift names through swift-demangle, then C++ names (the runtime's) through c++filt, where they are installed."""
    swift = ["swift-demangle", "--simplified"] if shutil.which("swift-demangle") else (
        ["swift", "demangle", "--simplified"] if shutil.which("swift") else None)
    for tool, prefix in ((swift, "$s"), (["c++filt"] if shutil.which("c++filt") else None, "_Z")):
        if tool is None or not any(n.startswith(prefix) for n in names):
            continue
        out = subprocess.run(tool, input="\n".join(names) + "\n", capture_output=True, text=True).stdout.splitlines()
        names = out if len(out) == len(names) else names
    return names


def render(rows: list[tuple[float, str, str]], limit: int = 60, calls: list | None = None) -> str:
    total = sum(r[0] for r in rows)
    by_object: dict[str, float] = defaultdict(float)
    for cost, obj, _ in rows:
        by_object[obj] += cost
    lines = [f"Self instructions per request by object (total {total:,.0f}):"]
    for obj, cost in sorted(by_object.items(), key=lambda kv: -kv[1]):
        if cost >= 1:
            lines.append(f"  {cost:10,.0f}  {cost / total * 100:5.1f}%  {obj}")
    lines.append("")
    lines.append(f"Top functions, self instructions per request:")
    top = rows[:limit]
    for (cost, obj, _), name in zip(top, demangle([r[2] for r in top])):
        lines.append(f"  {cost:10,.0f}  {cost / total * 100:5.1f}%  {name}  [{obj}]")
    if calls:
        lines.append("")
        lines.append("Calls from the proxy binary into libraries, inclusive instructions per request:")
        callers = demangle([c[1] for c in calls[:limit]])
        callees = demangle([c[3] for c in calls[:limit]])
        for (cost, _, obj, _), caller, callee in zip(calls[:limit], callers, callees):
            lines.append(f"  {cost:10,.0f}  {caller}  ->  {callee}  [{obj}]")
    return "\n".join(lines) + "\n"
