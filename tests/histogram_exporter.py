"""A loopback exporter of one latency histogram, printed the ways real clients print it.

Each path is one target: ``/go`` prints classic bucket bounds as client_golang does
(``le="1"``), ``/python`` as prometheus_client and the Java client do (``le="1.0"``),
``/mixed`` both at once (what an HA pair of a Prometheus 2 and a 3 shows), and
``/native`` serves a native histogram in the protobuf exposition format, encoded here
by hand (the delimited ``io.prometheus.client.MetricFamily`` wire format) so that no
protobuf library is needed.

Every target holds the same distribution. The counts grow by a fixed amount at each
scrape of that target, so all series of a target move in step and any rate ratio
between them is exact whatever the scrape timing: per scrape, 10 requests, 5 within
0.1s, 9 within 1s, all within 10s.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

METRIC = "request_seconds"
PER_SCRAPE = {0.1: 5, 1.0: 9, 10.0: 10}
"""Cumulative requests at or below each bound, per scrape."""
TOTAL = 10
PROTOBUF = (
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
)
TEXT = "text/plain; version=0.0.4; charset=utf-8"
SPELLINGS = {
    "go": {0.1: ["0.1"], 1.0: ["1"], 10.0: ["10"]},
    "python": {0.1: ["0.1"], 1.0: ["1.0"], 10.0: ["10.0"]},
    "mixed": {0.1: ["0.1"], 1.0: ["1", "1.0"], 10.0: ["10", "10.0"]},
}


def classic_text(spellings: dict[float, list[str]], scrapes: int) -> str:
    lines = [f"# TYPE {METRIC} histogram"]
    for bound, names in spellings.items():
        lines += [f'{METRIC}_bucket{{le="{le}"}} {PER_SCRAPE[bound] * scrapes}' for le in names]
    lines += [
        f'{METRIC}_bucket{{le="+Inf"}} {TOTAL * scrapes}',
        f"{METRIC}_sum {3 * scrapes}",
        f"{METRIC}_count {TOTAL * scrapes}",
    ]
    return "\n".join(lines) + "\n"


# Protobuf wire format: a field is a varint key (number << 3 | wire type), then a varint
# (type 0), 8 little-endian bytes (type 1) or a length and the bytes (type 2).


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _zigzag(value: int) -> int:
    """sint32/sint64 encoding: 0, -1, 1, -2 ... become 0, 1, 2, 3 ..."""
    return (value << 1) ^ (value >> 63)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    return _varint(number << 3 | wire) + payload


def _int(number: int, value: int) -> bytes:
    return _field(number, 0, _varint(value))


def _double(number: int, value: float) -> bytes:
    return _field(number, 1, struct.pack("<d", value))


def _message(number: int, payload: bytes) -> bytes:
    return _field(number, 2, _varint(len(payload)) + payload)


def native_histogram(scrapes: int) -> bytes:
    """One MetricFamily with one native histogram of schema 0 (bucket i holds
    (2^(i-1), 2^i]): per scrape 5 in (0.0625, 0.125], 4 in (0.5, 1], 1 in (1, 2]."""
    counts = {-3: 5 * scrapes, 0: 4 * scrapes, 1: 1 * scrapes}
    # Spans: buckets -3 (one), then a gap of 2, then 0 and 1 (two).
    spans = _message(12, _int(1, _zigzag(-3)) + _int(2, 1)) + _message(
        12, _int(1, _zigzag(2)) + _int(2, 2)
    )
    deltas, previous = b"", 0
    for index in sorted(counts):
        deltas += _int(13, _zigzag(counts[index] - previous))
        previous = counts[index]
    histogram = (
        _int(1, TOTAL * scrapes)  # sample_count
        + _double(2, 3.0 * scrapes)  # sample_sum
        + _int(5, _zigzag(0))  # schema
        + _double(6, 0.0)  # zero_threshold
        + _int(7, 0)  # zero_count
        + spans  # positive_span
        + deltas  # positive_delta
    )
    metric = _message(7, histogram)  # Metric.histogram
    family = (
        _message(1, METRIC.encode())  # name
        + _int(3, 4)  # type HISTOGRAM
        + _message(4, metric)  # metric
    )
    return _varint(len(family)) + family


class _Handler(BaseHTTPRequestHandler):
    server: _Exporter

    def do_GET(self) -> None:
        target = self.path.strip("/")
        scrapes = self.server.scraped(target)
        if target == "native":
            body, kind = native_histogram(scrapes), PROTOBUF
        elif target in SPELLINGS:
            body, kind = classic_text(SPELLINGS[target], scrapes).encode(), TEXT
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads Prometheus, not the exporter's access log."""


class _Exporter(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._lock = threading.Lock()
        self._scrapes: dict[str, int] = {}

    def scraped(self, target: str) -> int:
        with self._lock:
            self._scrapes[target] = self._scrapes.get(target, 0) + 1
            return self._scrapes[target]


@contextmanager
def exporting() -> Iterator[str]:
    """Serve the targets on a free loopback port; yields ``host:port``."""
    server = _Exporter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
