"""When a burn alert fires on Prometheus (``slogen.detection``), against hand-worked
cases, Prometheus' own arithmetic and the SRE Workbook's lower bound.

The simulation itself is checked against a real server in tests/test_e2e_detection.py.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import pytest

import slogen
from slogen import detection
from slogen.detection import Condition, ErrorsSeries, Phases, Timing
from tests.conftest import MINIMAL_SPEC, write_spec

FAST = Condition(3600, 300, Fraction("0.0144"))  # 99.9% over 30d: 2% of the budget in 1h
SLOW = Condition(21600, 1800, Fraction("0.006"))  # ... 5% in 6h
TICKET = Condition(259200, 21600, Fraction("0.001"))  # ... 10% in 3d
DEFAULTS = (FAST, SLOW, TICKET)
OUTAGE = Fraction(1)


def _at(*conditions: Condition, phases: Phases, ratio: Fraction = OUTAGE, hold: int = 0) -> float:
    found = detection.firing_at(conditions, ratio, hold, phases)
    assert found is not None
    return found.firing


def _bounds(condition: Condition, ratio: Fraction = OUTAGE, hold: int = 0) -> detection.Detection:
    found = detection.detection((condition,), ratio, hold)
    assert found is not None
    return found


def _workbook(condition: Condition, ratio: Fraction) -> Fraction:
    return condition.long * condition.threshold / ratio


def test_rate_is_prometheus_extrapolation_between_scrapes() -> None:
    """Between scrapes a 5m rate holds five samples a minute apart and extrapolates their
    increase to the whole range: the increase of four minutes over 240 s."""
    samples = [(float(t), 1000.0 + 3 * t) for t in range(0, 241, 60)]
    for at in (250.0, 270.5, 299.0):
        assert detection._rate(samples, at, 300) == pytest.approx(3.0)
    # A series that starts inside the range extrapolates back only to its zero point.
    fresh = [(60.0, 60.0), (120.0, 120.0)]
    assert detection._rate(fresh, 150.0, 300) == pytest.approx((60 + 60 + 30) / 300)
    # No rate from a single sample.
    assert detection._rate([(60.0, 5.0)], 90.0, 300) is None


def test_total_outage_on_the_fastest_page_by_hand() -> None:
    """99.9%/30d, 1h/5m, threshold 1.44%. The first scrape after the outage starts comes
    ``s`` seconds in and holds s/60 of a minute of errors; each 5m rate after scrape k
    counts the errors of the last four minutes over 240 s. The 1h window (61
    recordings) needs more than 0.0144 x 61 = 0.8784 minutes' worth in total:
    after scrape 3 it holds s/240 + (s/60 + 1)/4 + (s/60 + 2)/4 = s/80 + 3/4, enough
    once s > 10.272 s; after scrape 4 always. So the recording that first meets the
    condition runs at s + 120 + d (s > 10.272) or s + 180 + d, d being the recording
    group's offset after the scrape; the alert's group runs up to a minute later."""
    at = _at(FAST, phases=Phases(30.0, 20.0, 5.0))
    assert at == pytest.approx(30 + 120 + 20 + 5)
    assert _at(FAST, phases=Phases(10.0, 20.0, 5.0)) == pytest.approx(10 + 180 + 20 + 5)
    assert _at(FAST, phases=Phases(10.3, 20.0, 5.0)) == pytest.approx(10.3 + 120 + 20 + 5)
    bounds = _bounds(FAST)
    assert bounds.worst_scrape == pytest.approx(10.272, abs=1e-5)
    assert bounds.latest == pytest.approx(10.272 + 180 + 60 + 60, abs=1e-5)
    assert bounds.earliest == pytest.approx(10.272 + 120, abs=1e-5)


def test_the_reviewed_outage_lies_within_the_figures() -> None:
    """The review measured, on Prometheus 2.42, pending at 163 s and firing at 283 s
    (for: 2m), where the Workbook says 52 s. Phases exist that give exactly that, and
    it lies between the earliest and the latest firing."""
    bounds = _bounds(FAST, hold=120)
    assert bounds.earliest < 283 < bounds.latest
    assert math.ceil(bounds.latest) == 431  # fires within 7m11s
    assert math.floor(bounds.earliest) == 250
    timeline = detection.firing_at((FAST,), OUTAGE, 120, Phases(20.0, 20.0, 3.0))
    assert timeline is not None
    assert (timeline.pending, timeline.firing) == pytest.approx((163, 283))
    assert _workbook(FAST, OUTAGE) == Fraction("51.84")


def test_phases_change_the_firing_by_up_to_three_intervals() -> None:
    """The scrape phase, the recording group's and the alerting group's each move the
    firing by up to one interval: the latest and the earliest are 3 minutes apart."""
    for condition, ratio in itertools.product(DEFAULTS, (OUTAGE, Fraction(1, 50))):
        bounds = _bounds(condition, ratio)
        assert bounds.latest - bounds.earliest == pytest.approx(180, abs=1e-5)


def test_a_grid_of_phases_stays_within_the_bounds() -> None:
    """Brute force: every phase on a grid fires between the earliest and the latest, and
    the grid's extremes come within its step of them."""
    for condition in (FAST, SLOW):
        bounds = _bounds(condition, hold=120)
        times = [
            _at(condition, phases=Phases(s + 0.5, d + 0.25, g + 0.75), hold=120)
            for s, d, g in itertools.product(range(0, 60, 3), range(0, 60, 6), range(0, 60, 12))
        ]
        assert bounds.earliest <= min(times) < bounds.earliest + 4
        assert bounds.latest - 20 < max(times) <= bounds.latest


def test_the_worst_phases_approach_the_latest_firing() -> None:
    bounds = _bounds(FAST, hold=120)
    close = Phases(bounds.worst_scrape - 0.001, 59.999, 59.999)
    assert _at(FAST, phases=close, hold=120) == pytest.approx(bounds.latest, abs=0.01)


def test_for_adds_whole_evaluations() -> None:
    """``for`` delays firing to the first evaluation at least ``for`` after pending:
    whole evaluation intervals, rounded up."""
    phases = Phases(30.0, 20.0, 5.0)
    without = _at(FAST, phases=phases)
    zero = _bounds(FAST)
    for hold, adds in ((0, 0), (1, 60), (59, 60), (60, 60), (61, 120), (120, 120), (900, 900)):
        assert _at(FAST, phases=phases, hold=hold) == pytest.approx(without + adds)
        bounds = _bounds(FAST, hold=hold)
        assert bounds.latest == pytest.approx(zero.latest + adds)
        assert bounds.earliest == pytest.approx(zero.earliest + adds)


def test_a_higher_error_ratio_never_fires_later() -> None:
    for condition in DEFAULTS:
        ratios = sorted({min(condition.threshold * k, OUTAGE) for k in range(2, 60)} | {OUTAGE})
        latest = [_bounds(condition, r).latest for r in ratios]
        earliest = [_bounds(condition, r).earliest for r in ratios]
        assert latest == sorted(latest, reverse=True)
        assert earliest == sorted(earliest, reverse=True)


def test_the_workbook_figure_is_a_lower_bound() -> None:
    """The Workbook's time is when the long window's true ratio crosses. For traffic SLIs
    the 5m rates lag it, so no phase fires sooner (the earliest is an infimum, never
    reached). ``up`` SLIs record the last scrape's state once a minute, each recording
    standing for a minute, so they can lead it by up to one evaluation interval."""
    for condition, k in itertools.product(DEFAULTS, (Fraction(11, 10), 2, 10, 50)):
        ratio = min(condition.threshold * k, OUTAGE)
        workbook = _workbook(condition, ratio)
        assert _bounds(condition, ratio).earliest >= workbook, (condition, ratio)
        gauge = Condition(condition.long, condition.short, condition.threshold, rates=False)
        assert _bounds(gauge, ratio).earliest >= workbook - 60, (condition, ratio)


def test_at_or_below_the_threshold_nothing_fires() -> None:
    assert detection.detection((FAST,), FAST.threshold, 120) is None
    assert detection.firing_at((FAST,), FAST.threshold / 2, 0, Phases(30.0, 20.0, 5.0)) is None


def test_pairs_of_one_alert_fire_with_the_first_of_them() -> None:
    """A severity's alert ORs its pairs: it fires with whichever pair is first."""
    phases = Phases(30.0, 20.0, 5.0)
    for ratio in (OUTAGE, Fraction(1, 100), Fraction(1, 60)):
        alone = [detection.firing_at((c,), ratio, 0, phases) for c in (FAST, SLOW)]
        both = detection.firing_at((FAST, SLOW), ratio, 0, phases)
        assert both is not None
        assert both.firing == min(t.firing for t in alone if t is not None)


def test_gauge_slis_see_the_outage_at_the_first_scrape() -> None:
    """``up`` and ``freshness`` record the last scrape's state, no rate: a total outage
    meets the 1h/5m condition at the first recording after the first failed scrape."""
    gauge = Condition(3600, 300, Fraction("0.0144"), rates=False)
    assert _at(gauge, phases=Phases(30.0, 20.0, 5.0)) == pytest.approx(30 + 20 + 5)
    bounds = _bounds(gauge)
    assert (bounds.earliest, bounds.latest) == pytest.approx((0, 180))


def test_counters_that_start_with_the_incident_stay_near_the_bound() -> None:
    """The figures assume an errors counter that has counted before. One at 0, or one
    the first error creates, is extrapolated only back to its zero point, which changes
    the ramp a little: for the default policies it fires no later than the bound, or
    (a series created by the incident, on the 3d/6h pair) a few seconds later."""
    for condition in DEFAULTS:
        bound = _bounds(condition, hold=120).latest
        for errors in (ErrorsSeries.ZERO, ErrorsSeries.NEW):
            found = detection.detection((condition,), OUTAGE, 120, Timing(), errors)
            assert found is not None
            assert found.latest <= bound + 5, (condition, errors)
            if errors is ErrorsSeries.ZERO:
                assert found.latest <= bound


def test_lived_firing_seconds_of_an_slo(tmp_path: Path) -> None:
    write_spec(tmp_path, "shop.yaml", MINIMAL_SPEC)
    slo = next(slogen.compile_model(slogen.load(tmp_path)).slos())
    fast = min(slo.alerting.burn, key=lambda pair: pair.long)
    assert detection.lived_firing_seconds(slo, fast, OUTAGE) == 431
    assert detection.condition(slo, fast) == FAST
    with pytest.raises(ValueError, match="never fires"):
        detection.lived_firing_seconds(slo, fast, Fraction(1, 1000))


def test_timing_must_divide() -> None:
    with pytest.raises(ValueError, match="multiple of the scrape interval"):
        Timing(scrape_interval=45)


def test_errors_from_good_and_total_equal_the_errors_counter() -> None:
    """``rate(total) - rate(good)`` is ``rate(errors)`` for counters scraped together,
    so the figures modelled on an errors counter hold for good/total SLIs."""
    at, window = 1000.5, 300
    times = [float(t) for t in range(660, 1001, 60)]
    good = [(t, 1e9 + 0.25 * t) for t in times]
    errors = [(t, 1e6 + 0.75 * max(t - 800, 0)) for t in times]
    total = [(t, g + e) for (t, g), (_, e) in zip(good, errors, strict=True)]
    difference = detection._rate(total, at, window) - detection._rate(good, at, window)  # type: ignore[operator]
    assert difference == pytest.approx(detection._rate(errors, at, window), rel=1e-9)
