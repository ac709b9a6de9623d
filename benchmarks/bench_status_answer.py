"""How ``slogen status`` scales with the size of Prometheus' answer.

A grouped SLO (``group_by: [cluster]``) with N groups gets N samples for each of its
recordings and N firing alerts from a small local server that plays Prometheus. The
time to read and match them should grow in proportion to N: a step that scans every
alert for every group would make 5,000 groups take minutes instead of a fraction of
a second. Prints, per N, the median wall time of a few runs and the time per sample.

    python benchmarks/bench_status_answer.py [--sizes 1000,2000,5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import slogen  # noqa: E402
from tests.grouped_shop import GROUPED_SPEC as SPEC  # noqa: E402


def answer(query: str, groups: int) -> bytes:
    """What a Prometheus holding ``groups`` clusters of the shop's SLO answers."""
    alerts = query.startswith("ALERTS")
    result = [
        {
            "metric": {
                "slo_service": "shop",
                "slo_name": "availability",
                "cluster": f"c{index:06d}",
                **({"alertname": "SLOErrorBudgetBurn", "severity": "page"} if alerts else {}),
            },
            "value": [1700000000, "1" if alerts else "0.5"],
        }
        for index in range(groups)
    ]
    data = {"resultType": "vector", "result": result}
    return json.dumps({"status": "success", "data": data}).encode()


@contextmanager
def fake_prometheus(groups: int) -> Iterator[str]:
    """A server on a free loopback port answering every query for ``groups`` groups."""
    cache: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["query"][0]
            body = cache.setdefault(query, answer(query, groups))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,5000", help="group counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "shop.yaml").write_text(SPEC)
        specs = slogen.load([scratch])
        print(f"{'groups':>8}  {'median s':>9}  {'us/group':>9}")
        for groups in (int(n) for n in args.sizes.split(",")):
            with fake_prometheus(groups) as url:
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    statuses = slogen.status(specs, url, timeout=600)
                    times.append(time.perf_counter() - start)
                    assert len(statuses) == groups and all(s.firing for s in statuses)
            median = statistics.median(times)
            print(f"{groups:>8}  {median:>9.3f}  {median / groups * 1e6:>9.1f}")


if __name__ == "__main__":
    main()
