"""Compile throughput: time and peak memory to compile N SLOs to every artefact on disk.

For each N, N synthetic SLOs (services of ten, cycling through events, latency, ``up``
and ``freshness`` SLIs, a third of the first two grouped by cluster) are written as
specs to a scratch directory; a fresh interpreter then loads them, compiles every
artefact (rules, alerts, Alertmanager routes, dashboards, docs, promtool tests) with
``slogen.compile`` and writes the tree with ``Bundle.write`` (no promtool run).
Reported: seconds to load and compile, seconds to write, peak RSS of that interpreter
(``ru_maxrss``, imports included), and seconds per 1,000 SLOs to show whether cost
grows linearly. ``--profile`` prints the top cProfile entries for the largest N.

    python benchmarks/bench_compile.py [--slos 10,100,1000] [--profile]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SLOS_PER_SERVICE = 10
CHILD = """
import cProfile, json, pstats, resource, sys, time, io
from pathlib import Path
import slogen
specs, out, profile = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
profiler = cProfile.Profile() if profile else None
if profiler:
    profiler.enable()
start = time.perf_counter()
bundle = slogen.compile(slogen.load([specs]))
compiled = time.perf_counter()
bundle.write(out)
written = time.perf_counter()
top = ""
if profiler:
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    top = text.getvalue()
print(json.dumps({
    "compile_s": compiled - start,
    "write_s": written - compiled,
    "files": len(bundle.files),
    "bytes": sum(len(c) for c in bundle.files.values()),
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "profile": top,
}))
"""


def service_spec(service: int, slos: int) -> str:
    """One service with ``slos`` SLOs, cycling through four SLI kinds as a large
    repository holds them: request events, latency, an ``up`` probe and a batch job's
    ``freshness``; every third events or latency SLO is grouped by cluster."""
    lines = [
        f"service: svc-{service:05d}",
        f"team: team-{service % 50:02d}",
        "runbook: https://runbooks.example.com/{service}#{slo}",
        "slos:",
    ]
    for n in range(slos):
        job = f'job="svc-{service:05d}", handler="/api/{n}"'
        lines.append(f"  - name: slo-{n:02d}")
        kind = n % 4
        if kind == 0:
            lines += [
                "    objective: 99.9",
                "    sli:",
                "      events:",
                f'        errors: http_requests_total{{{job}, code=~"5.."}}',
                f"        total: http_requests_total{{{job}}}",
            ]
        elif kind == 1:
            lines += [
                "    objective: 99",
                "    sli:",
                "      latency:",
                f"        histogram: http_request_duration_seconds{{{job}}}",
                "        threshold: 250ms",
            ]
        elif kind == 2:
            lines += [
                "    objective: 99.5",
                "    sli:",
                "      up:",
                f'        metric: probe_success{{job="blackbox", instance="svc-{service}-{n}"}}',
            ]
        else:
            lines += [
                "    objective: 99",
                "    sli:",
                "      freshness:",
                f'        timestamp: job_last_success_timestamp_seconds{{job="batch-{n}"}}',
                "        max_age: 2h",
            ]
        if kind < 2 and (n // 4) % 3 == 0:
            lines.insert(len(lines) - 5, "    group_by: [cluster]")  # after the name
    return "\n".join(lines) + "\n"


def write_specs(directory: Path, slos: int) -> None:
    directory.mkdir(parents=True)
    for service in range(0, slos, SLOS_PER_SERVICE):
        count = min(SLOS_PER_SERVICE, slos - service)
        (directory / f"svc-{service:05d}.yaml").write_text(service_spec(service, count))


def measure(slos: int, profile: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"compile-{slos}-") as scratch:
        specs, out = Path(scratch) / "specs", Path(scratch) / "generated"
        write_specs(specs, slos)
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(specs), str(out), "1" if profile else "0"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"compiling {slos} SLOs failed:\n{done.stderr}")
        return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--slos", default="10,100,1000", help="comma-separated SLO counts (10000: ~15 minutes)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the largest count")
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.slos.split(",")})
    print("Compile every artefact and write it (no promtool); one fresh interpreter per row")
    print(
        "| SLOs | files | MiB written | compile s | write s | total s "
        "| s per 1,000 SLOs | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    profile = ""
    for slos in counts:
        got = measure(slos, args.profile and slos == counts[-1])
        compile_s, write_s = float(got["compile_s"]), float(got["write_s"])  # type: ignore[arg-type]
        total = compile_s + write_s
        print(
            f"| {slos:,} | {got['files']:,} | {int(got['bytes']) / 2**20:.1f} "  # type: ignore[call-overload]
            f"| {compile_s:.2f} | {write_s:.2f} | {total:.2f} | {1000 * total / slos:.2f} "
            f"| {float(got['peak_rss_mib']):.0f} |"  # type: ignore[arg-type]
        )
        profile = str(got["profile"]) or profile
    if profile:
        print(f"\ncProfile, {counts[-1]:,} SLOs, top entries by cumulative time:\n{profile}")


if __name__ == "__main__":
    main()
