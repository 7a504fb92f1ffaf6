"""`bench/run`: side-by-side benchmarks of Gatehouse, nginx, HAProxy and Caddy (and the backend without proxy)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from . import build, configs, loadgen, proc, proxies, report
from .common import (BENCH, HOST, PROXIES, REPO, cores, git_describe, loadavg, log, machine_description, need,
                     new_run_dir, tool_versions, utc_now)
from .scenarios import BY_KEY, PINNING_BY_KEY, SCENARIOS, Pinning, Scenario


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="scenarios: " + ", ".join(f"{s.key} ({s.title})" for s in SCENARIOS))
    parser.add_argument("--scenarios", default="all", help="comma-separated scenario keys, or 'all' (default)")
    parser.add_argument("--proxies", default=",".join(PROXIES), help=f"comma-separated (default {','.join(PROXIES)})")
    parser.add_argument("--no-direct", action="store_true", help="skip the no-proxy baseline (client -> backend)")
    parser.add_argument("--pinning", default="1core,2core", help="1core and/or 2core (default both)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions, interleaved across proxies (default 3)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of measured load per run (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up load before each run (default 2)")
    parser.add_argument("--quick", action="store_true", help="1 repetition of 3 s (a smoke test, not a result)")
    parser.add_argument("--no-build", action="store_true", help="use the existing release binary")
    parser.add_argument("--binary", type=Path, help="benchmark this gatehouse binary instead of the release build")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="Markdown file to update")
    parser.add_argument("--no-record", action="store_true", help="do not touch RESULTS.md (print the section only)")
    parser.add_argument("--tls-key", choices=sorted(configs.TLS_KEYS), default="p256",
                        help="key type of the run's self-signed certificate, served by every proxy (default p256: "
                             "ECDSA P-256; rsa2048 makes the server's signature dominate a full handshake)")
    parser.add_argument("--tls-client", choices=("boringssl", "openssl"), default="boringssl",
                        help="TLS library of tlsload, the handshake scenarios' client (default boringssl: the objects "
                             "of Gatehouse's release build; OpenSSL 3.0's client spends about twice a proxy's CPU on "
                             "each handshake, so every proxy ran at the client's pace)")
    parser.add_argument("--label", default="", help="a note shown in the run's heading")
    parser.add_argument("--syscalls", action="store_true",
                        help="also count each proxy's syscalls per request under the load (perf's syscall "
                             "tracepoints, over the warm-up and the measured load; the tracing costs a little CPU "
                             "per syscall, the same for every proxy)")
    parser.add_argument("--list", action="store_true", help="list scenarios and exit")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.duration, args.warmup = 1, 3, 1
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.list:
        for s in SCENARIOS:
            print(f"{s.key:14} {s.title}  [{s.describe_load()}]")
        return 0
    need("wrk", "h2load", "nginx", "haproxy", "caddy", "taskset", "openssl")
    unknown = [k for k in args.scenarios.split(",") if k and k not in BY_KEY and args.scenarios != "all"]
    if unknown:
        sys.exit(f"unknown scenario {', '.join(unknown)}; known: {', '.join(BY_KEY)}")
    scenarios = SCENARIOS if args.scenarios == "all" else [BY_KEY[k] for k in args.scenarios.split(",") if k]
    pinnings = [PINNING_BY_KEY[k] for k in args.pinning.split(",") if k]
    names = [n for n in args.proxies.split(",") if n]
    for n in names:
        if n not in PROXIES:
            sys.exit(f"unknown proxy {n}; known: {', '.join(PROXIES)}")
    command = "bench/run " + " ".join(shlex.quote(a) for a in argv)

    binary = args.binary or build.ensure_release(build=not args.no_build)
    if any(s.tool == "tlsload" for s in scenarios):
        need("cc")
        args.tls_client = loadgen.tlsload_library(args.tls_client)
        loadgen.tlsload_binary(args.tls_client)  # compile it now (not inside a measured window)
    root = new_run_dir("run")
    log(f"run directory {root}")
    frozen = build.frozen_copy(binary, root / "bin")
    www = configs.write_www(root)
    crt, key, pem = configs.tls_certificate(root, args.tls_key)
    manifests = configs.gatehouse_manifests(root, crt, key)
    setup = proxies.Setup(root=root, crt=crt, key=key, pem=pem, gatehouse_binary=frozen, manifests=manifests)
    load_core, proxy_core, both = cores()

    targets = [proxies.make(n, setup) for n in names]
    if not args.no_direct:
        targets.append(proxies.make("direct", setup))

    started_at = utc_now()
    load_before = loadavg()
    backend = proxies.start_backend(setup, www, load_core)
    records: list[dict] = []
    skipped: dict[tuple[str, str], str] = {}
    broken: dict[str, str] = {}
    facts: dict[str, str] = {}
    try:
        # Preflight: every target once, checking routing and finding out what it supports.
        for target in targets:
            p = target.start(1, proxy_core, "preflight")
            try:
                if not target.ready(p):
                    broken[target.name] = "did not become ready: " + (p.tail(5) if p else "")
                    continue
                target.probe()
                problems = proxies.check_routing(target)
                if problems:
                    broken[target.name] = "; ".join(problems)
                if isinstance(target, proxies.Gatehouse):
                    facts["gatehouse threads"] = f"{target.thread_method}; {target.event_loops(p)} event-loop threads with 1 requested"
            finally:
                if p:
                    p.stop()
            log(f"preflight {target.name}: tls={target.tls} h2={target.h2} ({target.tls_detail})"
                + (f" BROKEN: {broken[target.name]}" if target.name in broken else ""))

        for scenario in scenarios:
            for pinning in pinnings:
                for rep in range(args.reps):
                    # Every other repetition runs the proxies in reverse order (A B C, C B A, ...): the machine's
                    # speed drifts over minutes here, and a fixed order would charge a drift to whoever runs later.
                    for target in (targets if rep % 2 == 0 else list(reversed(targets))):
                        if target.name in broken:
                            continue
                        if target.name == "direct" and pinning is not pinnings[0]:
                            continue
                        reason = unsupported(target, scenario)
                        if reason:
                            skipped[(scenario.key, target.name)] = reason
                            continue
                        record = measure(target, scenario, pinning, rep, args, setup, backend,
                                         (load_core, proxy_core, both))
                        records.append(record)
    finally:
        backend.stop()
    load_after = loadavg()

    data = {"command": command, "started": started_at, "records": records, "skipped": {f"{k[0]}/{k[1]}": v for k, v in skipped.items()},
            "broken": broken, "facts": facts, "loadavg_before": load_before, "loadavg_after": load_after}
    (root / "results.json").write_text(json.dumps(data, indent=1))
    section = render(args, command, started_at, scenarios, pinnings, targets, records, skipped, broken, facts,
                     load_before, load_after, binary)
    (root / "RESULTS-section.md").write_text(section)
    print(section)
    if not args.no_record:
        report.insert_run(args.results, section)
        log(f"recorded in {args.results}")
    return 0


def unsupported(target: proxies.Target, scenario: Scenario) -> str | None:
    if scenario.tls and not target.tls:
        if target.name == "gatehouse":
            return (f"not supported yet: no TLS handshake on --https-port {target.https_port} "
                    f"({target.tls_detail})")
        return f"no TLS ({target.tls_detail})"
    if scenario.h2 and not target.h2:
        if target.name == "gatehouse":
            return f"not supported yet: HTTP/2 not negotiated by ALPN ({target.tls_detail})"
        return f"no HTTP/2 ({target.tls_detail})"
    return None


def run_load(target: proxies.Target, scenario: Scenario, seconds: float, load_core: str,
             tls_client: str = "openssl") -> loadgen.LoadResult:
    port = target.https_port if scenario.tls else target.http_port
    scheme = "https" if scenario.tls else "http"
    url = f"{scheme}://{HOST}:{port}{scenario.path}"
    if scenario.tool == "h2load":
        return loadgen.h2load(url, port, scenario.connections, scenario.streams, seconds, load_core, warmup=1)
    if scenario.tool == "tlsload":
        return loadgen.tlsload(port, HOST, scenario.path, scenario.connections, seconds, load_core,
                               library=tls_client, resume=scenario.resume)
    return loadgen.wrk(url, scenario.connections, seconds, load_core, scenario.mode, scenario.upload)


def measure(target: proxies.Target, scenario: Scenario, pinning: Pinning, rep: int, args, setup, backend,
            cpu_sets: tuple[str, str, str]) -> dict:
    load_core, proxy_core, both = cpu_sets
    tag = f"{scenario.key}-{pinning.key}-{rep}"
    p = target.start(pinning.threads, both if pinning.both_cores else proxy_core, tag)
    record = {"scenario": scenario.key, "pinning": pinning.key, "rep": rep, "target": target.name}
    try:
        if not target.ready(p):
            record["error"] = "not ready: " + (p.tail(5) if p else "")
            log(f"{tag} {target.name}: {record['error']}")
            return record
        counter = proc.SyscallCount(p.pids(), setup.root / f"perf-{tag}-{target.name}.csv").start() \
            if args.syscalls and p else None
        warm = run_load(target, scenario, args.warmup, load_core, args.tls_client) if args.warmup > 0 else None
        pids = p.pids() if p else []
        (user0, system0), backend0, busy0 = proc.cpu_times(pids), backend.cpu(), proc.machine_busy_seconds()
        wall0 = time.monotonic()
        result = run_load(target, scenario, args.duration, load_core, args.tls_client)
        wall = time.monotonic() - wall0
        pids = p.pids() if p else []
        (user1, system1), backend1, busy1 = proc.cpu_times(pids), backend.cpu(), proc.machine_busy_seconds()
        proxy_cpu = (user1 - user0) + (system1 - system0)
        if counter:
            record["syscalls_per_req"] = proc.per_request(counter.stop(), result.requests + (warm.requests if warm else 0))
        foreign = max(0.0, (busy1 - busy0) - proxy_cpu - (backend1 - backend0) - result.loadgen_cpu)
        record.update({
            "requests": result.requests, "seconds": result.seconds, "rps": result.rps,
            "p50_ms": result.p50_ms, "p99_ms": result.p99_ms, "max_ms": result.max_ms,
            "errors": result.errors, "error_detail": result.error_detail,
            "proxy_cpu_s": proxy_cpu if p else None,
            "cpu_us_per_req": proxy_cpu / result.requests * 1e6 if p and result.requests else None,
            "system_us_per_req": (system1 - system0) / result.requests * 1e6 if p and result.requests else None,
            "peak_rss_kib": p.peak_rss_kib() if p else None,
            "backend_cpu_s": backend1 - backend0, "loadgen_cpu_s": result.loadgen_cpu,
            "foreign_cores": foreign / wall if wall > 0 else None,
            "loadavg": loadavg()[0],
        })
        if result.tls is not None:
            record["tls"] = result.tls
        if isinstance(target, proxies.Gatehouse):
            record["threads"] = target.thread_method
            record["event_loops"] = target.event_loops(p)
        log(f"{tag} {target.name:9} {result.rps:10,.0f} req/s  p50 {fmt_ms(result.p50_ms)}  p99 {fmt_ms(result.p99_ms)}  "
            f"cpu {record['cpu_us_per_req'] or 0:6.1f} us/req  rss {(record['peak_rss_kib'] or 0) / 1024:6.1f} MiB  "
            f"errors {result.errors}  others {record['foreign_cores'] or 0:.2f} cores"
            + (f"  handshakes {result.tls.get('handshakes')} resumed {result.tls.get('resumed')}" if result.tls else ""))
    finally:
        if p:
            p.stop()
    return record


def fmt_ms(value: float | None) -> str:
    return f"{value:.2f} ms" if value is not None else "–"


def render(args, command, started_at, scenarios, pinnings, targets, records, skipped, broken, facts, load_before,
           load_after, binary) -> str:
    fmtr, med = report.fmt_range, report.median
    foreign = [r["foreign_cores"] for r in records if r.get("foreign_cores") is not None]
    lines = [f"### {started_at}" + (f" — {args.label}" if args.label else ""), ""]
    lines.append(f"- Command: `{command}` ({args.reps} repetitions × {args.duration:g} s, {args.warmup:g} s warm-up; "
                 "proxies interleaved in each repetition, in reverse order every other repetition, each started fresh)")
    built = f"`{binary}` (given with --binary)" if args.binary else f"commit {git_describe()}, `{binary}`"
    lines.append(f"- Gatehouse: {built}" + (f"; threads: {facts['gatehouse threads']}" if "gatehouse threads" in facts else ""))
    lines.append(f"- Machine: {machine_description()}")
    busy = "busy" if max(load_before[0], load_after[0]) > 1.0 or (foreign and max(foreign) > 0.2) else "quiet"
    lines.append(f"- Load: {busy} — load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; other "
                 f"processes used {report.fmt(med(foreign), 2)} cores (median, max {report.fmt(max(foreign) if foreign else None, 2)}) "
                 "during measurements")
    versions = tool_versions()
    lines.append("- Tools: " + "; ".join(f"{v}" for k, v in versions.items() if k != "valgrind"))
    lines.append("- Backend: nginx, 1 worker on core 0, two ports (two endpoints), static 100 B and 64 KiB files")
    key_name = configs.TLS_KEYS[args.tls_key][1]
    if any(s.tls for s in scenarios):
        lines.append(f"- TLS: every proxy serves the same self-signed **{key_name}** certificate (`--tls-key {args.tls_key}`), "
                     "TLS 1.2–1.3")
    if any(s.tool == "tlsload" for s in scenarios):
        lines.append(f"- Handshake client: tlsload linked with **{'BoringSSL' if args.tls_client == 'boringssl' else 'OpenSSL'}** "
                     f"(`--tls-client {args.tls_client}`), key exchange X25519")
    for name, problem in broken.items():
        lines.append(f"- **{name} excluded**: {problem}")
    lines.append("")
    lines.append("CPU µs/req = (utime + stime of the proxy's processes) / requests; peak RSS = VmHWM summed over the "
                 "proxy's processes; × nginx = median of the per-repetition ratios to nginx in the same repetition.")
    for scenario in scenarios:
        for pinning in pinnings:
            rows = [r for r in records if r["scenario"] == scenario.key and (r["pinning"] == pinning.key or r["target"] == "direct") and "rps" in r]
            load = scenario.describe_load() + (f"; {key_name} certificate" if scenario.tls else "")
            lines += ["", f"#### {scenario.title} — {pinning.title} ({load})", ""]
            lines.append("| Proxy | req/s median (min–max) | × nginx | p50 ms | p99 ms | p99 × nginx | CPU µs/req | CPU × nginx | peak RSS MiB | errors |")
            lines.append("|---|---|---|---|---|---|---|---|---|---|")
            nginx_by_rep = {r["rep"]: r for r in rows if r["target"] == "nginx"}
            for target in targets:
                mine = [r for r in rows if r["target"] == target.name]
                reason = skipped.get((scenario.key, target.name))
                if not mine:
                    if reason and target.name != "direct":
                        lines.append(f"| {target.name} | skipped: {reason} | | | | | | | | |")
                    continue

                def ratio(field: str) -> str:
                    values = []
                    for r in mine:
                        base = nginx_by_rep.get(r["rep"])
                        if base and base.get(field) and r.get(field) is not None:
                            values.append(r[field] / base[field])
                    return report.fmt(med(values), 2) + "×" if values and target.name != "nginx" else ("1.00×" if target.name == "nginx" and values else "–")

                name = target.name + (" (no proxy)" if target.name == "direct" else "")
                lines.append(
                    f"| {name} | {fmtr([r['rps'] for r in mine])} | {ratio('rps')} | "
                    f"{report.fmt(med([r['p50_ms'] for r in mine]), 2)} | {report.fmt(med([r['p99_ms'] for r in mine]), 2)} | {ratio('p99_ms')} | "
                    f"{fmtr([r['cpu_us_per_req'] for r in mine], 1) if target.name != 'direct' else '–'} | {ratio('cpu_us_per_req') if target.name != 'direct' else '–'} | "
                    f"{report.fmt(max((r['peak_rss_kib'] or 0) for r in mine) / 1024, 1) if target.name != 'direct' else '–'} | "
                    f"{sum(r['errors'] for r in mine)} |")
            handshakes = [r for r in rows if r.get("tls")]
            if handshakes:
                lines.append("")
                library = handshakes[0]["tls"].get("library", "OpenSSL")
                lines.append(f"tlsload ({library}; its CPU is its share of every handshake: when it and the backend "
                             "fill core 0, the run measures the client, not the proxy):")
                for target in targets:
                    mine = [r for r in handshakes if r["target"] == target.name]
                    if not mine:
                        continue
                    tls = mine[0]["tls"]
                    total = sum(r["tls"].get("handshakes", 0) for r in mine)
                    resumed = sum(r["tls"].get("resumed", 0) for r in mine)
                    client = med([r["loadgen_cpu_s"] / r["requests"] * 1e6 for r in mine if r.get("requests")])
                    client_cores = med([r["loadgen_cpu_s"] / r["seconds"] for r in mine if r.get("seconds")])
                    proxy_cores = med([r["proxy_cpu_s"] / r["seconds"] for r in mine
                                       if r.get("seconds") and r.get("proxy_cpu_s") is not None])
                    lines.append(f"- {target.name}: {total:,} handshakes, {resumed:,} resumed; {tls.get('protocol')} "
                                 f"{tls.get('cipher')}, {tls.get('group')}, server key {tls.get('server_key')}, "
                                 f"signature {tls.get('signature')}; tlsload {report.fmt(client, 0)} µs CPU per request "
                                 f"({report.fmt(client_cores, 2)} cores; the proxy {report.fmt(proxy_cores, 2)} cores)")
            counted = [(target.name, [r["syscalls_per_req"] for r in rows if r["target"] == target.name and r.get("syscalls_per_req")])
                       for target in targets]
            if any(per for _, per in counted):
                lines.append("")
                lines.append("Syscalls per request (perf's syscall tracepoints over the warm-up and the measured load, "
                             "median of the repetitions by call) and the kernel's share of the CPU per request (stime):")
                for name, per in counted:
                    if per:
                        calls = {k: med([c.get(k, 0.0) for c in per]) for k in {k for c in per for k in c}}
                        system = med([r["system_us_per_req"] for r in rows if r["target"] == name and r.get("system_us_per_req") is not None])
                        lines.append(f"- {name}: {proc.describe_syscalls(calls)}; in the kernel {report.fmt(system, 1)} µs per request")
            failed = [r for r in records if r["scenario"] == scenario.key and r["pinning"] == pinning.key and "error" in r]
            for r in failed:
                lines.append(f"\n{r['target']} repetition {r['rep'] + 1} not measured: {r['error'].splitlines()[-1][:200]}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
