"""The rule-group schedule model: xxHash64 against published vectors, and the grid.

Whether it matches Prometheus itself is checked on the real server in
test_e2e_recordings.py (recorded timestamps lie where it predicts).
"""

from __future__ import annotations

from pathlib import Path

from tests.rule_schedule import (
    NANOS_PER_MS,
    group_offset_ns,
    last_evaluation_ms,
    next_evaluation_ms,
    path_evaluated_soon,
    xxh64,
)


def test_xxh64_reference_vectors() -> None:
    assert xxh64(b"") == 0xEF46DB3751D8E999
    assert xxh64(b"abc") == 0x44BC2CF5AD770999
    # Longer than one 32-byte stripe, with 8-, 4- and 1-byte tails.
    assert xxh64(b"Nobody inspects the spammish repetition") == 0xFBCEA83C8A378BF1


def test_evaluations_lie_on_the_offset_grid() -> None:
    # A group at offset 5 s of a 1m interval runs at 5 s, 65 s, 125 s...
    assert last_evaluation_ms(124_999, 5_000, 60) == 65_000
    assert last_evaluation_ms(125_000, 5_000, 60) == 125_000
    assert next_evaluation_ms(125_000, 5_000, 60) == 185_000
    assert next_evaluation_ms(124_999, 5_000, 60) == 125_000


def test_the_chosen_path_runs_within_a_second() -> None:
    """Among 300 names, one puts the group's first run less than a second away."""
    path = path_evaluated_soon(Path("/r"), "g", 60, not_before_ms=1_000_000)
    offset = group_offset_ns("g", path, 60) // NANOS_PER_MS
    assert next_evaluation_ms(1_000_000, offset, 60) - 1_000_000 < 1000
