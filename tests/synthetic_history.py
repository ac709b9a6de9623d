"""Request counters with a known history, and the exact answers the rules must give.

A pure function turns a scenario (days of diurnal traffic, incidents of known size at
known minutes, intervals with no traffic at all) into per-minute request and error
counts, the OpenMetrics text that ``promtool tsdb create-blocks-from openmetrics``
backfills, and exact expectations computed from the same counts.

How Prometheus 2 reads these counters, and why the expectations are exact: every
series is scraped on whole minutes, ``scrape j`` at ``start + 60 j``, and minute ``j``
is what happened between scrapes ``j-1`` and ``j``. A rule evaluated between scrapes
(as a rule group is; its offset is never a whole minute) at time ``t`` sees the five
scrapes ``k-4 .. k`` in ``rate(x[5m])``, where ``k`` is the last scrape at or before
``t``, and extrapolates their increase from 240 s to the 300 s range: the rate is
``(C(k) - C(k-4)) / 240``, the events of minutes ``k-3 .. k`` over 240 s. Counters
start at a large value, as those of a long-running process do, so that Prometheus
never shortens the extrapolation towards zero at the start of the range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

MINUTE_MS = 60_000
COUNTER_BASE = 1_000_000
RATE_MINUTES = 4  # a 5m rate between scrapes covers the increase of four minutes
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Incident:
    """``minutes`` minutes from minute ``first`` on, this share of requests fail."""

    first: int
    minutes: int
    error_ratio: Fraction


@dataclass(frozen=True)
class Quiet:
    """``minutes`` minutes from minute ``first`` on, no requests at all."""

    first: int
    minutes: int


@dataclass(frozen=True)
class Scenario:
    """What happened, minute by minute, to every instance of one job."""

    start_s: int  # the first scrape, on a whole minute (unix seconds)
    minutes: int  # scrapes 0 .. minutes
    instances: int = 3
    peak: int = 600  # requests per instance per minute at the daily peak
    trough: int = 30  # ... and at night
    peak_minute_of_day: int = 14 * 60  # UTC
    background_errors: Fraction = Fraction(1, 1000)
    incidents: tuple[Incident, ...] = ()
    quiet: tuple[Quiet, ...] = ()
    job: str = "shop"
    metric: str = "http_requests"


@dataclass(frozen=True)
class History:
    """Per-instance requests and errors of each minute (index 0 is unused: no minute
    ends at the first scrape)."""

    scenario: Scenario
    requests: tuple[int, ...]
    errors: tuple[int, ...]

    def scrape_ms(self, scrape: int) -> int:
        return (self.scenario.start_s + 60 * scrape) * 1000

    @property
    def end_ms(self) -> int:
        return self.scrape_ms(self.scenario.minutes)

    def minute_at(self, at_ms: int) -> int:
        """The minute index that ends at the last scrape at or before ``at_ms``."""
        return (at_ms - self.scrape_ms(0)) // MINUTE_MS

    def openmetrics(self) -> str:
        """Every series as OpenMetrics with timestamps, series by series."""
        return "".join(self._openmetrics_chunks())

    def write_openmetrics(self, path: Path) -> Path:
        """The same text written to ``path`` a series at a time: a month of thousands
        of series is gigabytes, too much to hold as one string."""
        with path.open("w") as out:
            out.writelines(self._openmetrics_chunks())
        return path

    def _openmetrics_chunks(self) -> Iterator[str]:
        s = self.scenario
        yield f"# TYPE {s.metric} counter\n"
        for instance in range(s.instances):
            for code, counts in (("200", self._successes()), ("500", self.errors)):
                labels = f'code="{code}",instance="{s.job}-{instance}",job="{s.job}"'
                value, lines = COUNTER_BASE, []
                for scrape in range(s.minutes + 1):
                    value += counts[scrape]
                    lines.append(
                        f"{s.metric}_total{{{labels}}} {value} {s.start_s + 60 * scrape}\n"
                    )
                yield "".join(lines)
        yield "# EOF\n"

    def _successes(self) -> list[int]:
        return [r - e for r, e in zip(self.requests, self.errors, strict=True)]

    def series_count(self) -> dict[str, int]:
        """Raw series the SLI's selectors match: all of them, and the errors only."""
        return {"total": 2 * self.scenario.instances, "errors": self.scenario.instances}

    # --- exact expectations -------------------------------------------------------

    def rate_minutes(self, at_ms: int) -> range:
        """The minutes whose events a 5m rate evaluated at ``at_ms`` counts."""
        if (at_ms - self.scrape_ms(0)) % MINUTE_MS == 0:
            raise ValueError(f"{at_ms} is on a scrape; rules never evaluate there")
        last = self.minute_at(at_ms)
        if last - RATE_MINUTES < 0 or last > self.scenario.minutes:
            raise ValueError(f"{at_ms}: the 5m rate window leaves the history")
        return range(last - RATE_MINUTES + 1, last + 1)

    def weighted_counts(self, points: Iterable[int]) -> tuple[int, int]:
        """Errors and requests (all instances) summed over the 5m rates at ``points``.

        This is what ``sum_over_time(errors_5m[w]) / sum_over_time(total_5m[w])`` divides,
        times 240 s: each minute weighs as many times as a 5m rate in the window covers it.
        """
        errors = requests = 0
        for point in points:
            for minute in self.rate_minutes(point):
                errors += self.errors[minute]
                requests += self.requests[minute]
        n = self.scenario.instances
        return errors * n, requests * n

    def window_ratio(self, points: Iterable[int]) -> Fraction | None:
        """The traffic-weighted error ratio over recordings at ``points``; None is NaN."""
        errors, requests = self.weighted_counts(points)
        return Fraction(errors, requests) if requests else None

    def count_ratio(self, first: int, last: int) -> Fraction:
        """Plain errors / requests of minutes ``first .. last``: the ratio in the window."""
        errors = sum(self.errors[first : last + 1])
        return Fraction(errors, sum(self.requests[first : last + 1]))

    def mean_of_ratios(self, points: Sequence[int]) -> Fraction:
        """The average of 5m ratios over ``points`` (how Sloth computes a period)."""
        ratios = [self.window_ratio([p]) for p in points]
        if any(r is None for r in ratios):
            raise ValueError("a 5m ratio in the window is 0/0: the average is NaN")
        return sum((r for r in ratios if r is not None), Fraction(0)) / len(ratios)


def grid(offset_ms: int, interval_s: int, first_ms: int, last_ms: int) -> list[int]:
    """Evaluation times of a group at ``offset_ms`` in ``[first_ms, last_ms]``, both ends.

    Range selectors include both ends in Prometheus 2, so a window over a recording
    of the same group holds ``window / interval + 1`` samples.
    """
    step = interval_s * 1000
    first = first_ms + (offset_ms - first_ms) % step
    return list(range(first, last_ms + 1, step))


def history(scenario: Scenario) -> History:
    """The per-minute counts a scenario implies; deterministic, no randomness."""
    requests = [0] + [_diurnal(scenario, minute) for minute in range(1, scenario.minutes + 1)]
    for quiet in scenario.quiet:
        for minute in range(quiet.first, quiet.first + quiet.minutes):
            requests[minute] = 0
    errors = _background_errors(requests, scenario.background_errors)
    for incident in scenario.incidents:
        for minute in range(incident.first, incident.first + incident.minutes):
            errors[minute] = round(requests[minute] * incident.error_ratio)
    return History(scenario, tuple(requests), tuple(errors))


def _diurnal(scenario: Scenario, minute: int) -> int:
    """Requests per instance: a cosine day between trough and peak."""
    minute_of_day = (scenario.start_s // 60 + minute) % DAY_MINUTES
    phase = 2 * math.pi * (minute_of_day - scenario.peak_minute_of_day) / DAY_MINUTES
    share = (1 + math.cos(phase)) / 2
    return scenario.trough + round((scenario.peak - scenario.trough) * share)


def _background_errors(requests: Sequence[int], ratio: Fraction) -> list[int]:
    """Errors spread evenly: after every request, floor(requests so far * ratio) failed."""
    errors, seen = [], 0
    for count in requests:
        errors.append(math.floor((seen + count) * ratio) - math.floor(seen * ratio))
        seen += count
    return errors
