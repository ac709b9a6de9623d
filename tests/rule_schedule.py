"""When Prometheus 2 evaluates a rule group, predicted the way Prometheus computes it.

A group does not run on whole minutes: it runs at ``offset + k * interval``, where the
offset is a hash of the group's name and the path of its rule file, modulo the
interval. ``promtool tsdb create-blocks-from rules`` backfills on the same grid, so a
recording backfilled from a file at one path lines up with what Prometheus would
have recorded live from that path. Knowing the grid lets a test

- evaluate an expression exactly as its group does (a range selector over a
  recording of the same group includes the sample at both ends in Prometheus 2);
- name a rule file so that its alerting group first runs seconds after start-up
  rather than up to one interval later.

The hash is Prometheus's ``labels.Labels.Hash`` of ``{file=..., name=...}``: xxHash64 of
each label's name and value followed by the byte 0xff, in label-name order.
"""

from __future__ import annotations

import struct
from pathlib import Path

_MASK = (1 << 64) - 1
_P1 = 0x9E3779B185EBCA87
_P2 = 0xC2B2AE3D27D4EB4F
_P3 = 0x165667B19E3779F9
_P4 = 0x85EBCA77C2B2AE63
_P5 = 0x27D4EB2F165667C5
_SEPARATOR = b"\xff"
NANOS_PER_MS = 1_000_000


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * _P2) & _MASK, 31) * _P1) & _MASK


def _merge(acc: int, lane: int) -> int:
    return ((acc ^ _round(0, lane)) * _P1 + _P4) & _MASK


def xxh64(data: bytes, seed: int = 0) -> int:
    """xxHash64, the hash Prometheus uses for label sets (reference algorithm)."""
    length, pos = len(data), 0
    if length >= 32:
        lanes = [(seed + _P1 + _P2) & _MASK, (seed + _P2) & _MASK, seed, (seed - _P1) & _MASK]
        while pos + 32 <= length:
            words = struct.unpack_from("<4Q", data, pos)
            lanes = [_round(lane, word) for lane, word in zip(lanes, words, strict=True)]
            pos += 32
        acc = (
            _rotl(lanes[0], 1) + _rotl(lanes[1], 7) + _rotl(lanes[2], 12) + _rotl(lanes[3], 18)
        ) & _MASK
        for lane in lanes:
            acc = _merge(acc, lane)
    else:
        acc = (seed + _P5) & _MASK
    acc = (acc + length) & _MASK
    while pos + 8 <= length:
        (word,) = struct.unpack_from("<Q", data, pos)
        acc = (_rotl(acc ^ _round(0, word), 27) * _P1 + _P4) & _MASK
        pos += 8
    if pos + 4 <= length:
        (half,) = struct.unpack_from("<I", data, pos)
        acc = (_rotl(acc ^ (half * _P1 & _MASK), 23) * _P2 + _P3) & _MASK
        pos += 4
    for byte in data[pos:]:
        acc = (_rotl(acc ^ (byte * _P5 & _MASK), 11) * _P1) & _MASK
    acc = ((acc ^ (acc >> 33)) * _P2) & _MASK
    acc = ((acc ^ (acc >> 29)) * _P3) & _MASK
    return acc ^ (acc >> 32)


def group_offset_ns(group: str, rule_file: Path, interval_s: int) -> int:
    """Where in each interval the group runs, in nanoseconds, as Prometheus computes it."""
    key = b"file" + _SEPARATOR + str(rule_file).encode() + _SEPARATOR
    key += b"name" + _SEPARATOR + group.encode() + _SEPARATOR
    return xxh64(key) % (interval_s * 1000 * NANOS_PER_MS)


def backfill_offset_ms(group: str, rule_file: Path, interval_s: int) -> int:
    """The offset of the samples ``create-blocks-from rules`` writes for the group.

    promtool sends the aligned start time to the query API as decimal seconds, and
    the API rounds it to the millisecond (a live server truncates instead).
    """
    return round(group_offset_ns(group, rule_file, interval_s) / NANOS_PER_MS)


def last_evaluation_ms(at_ms: int, offset_ms: int, interval_s: int) -> int:
    """The group's latest evaluation time at or before ``at_ms``."""
    interval_ms = interval_s * 1000
    return at_ms - (at_ms - offset_ms) % interval_ms


def next_evaluation_ms(after_ms: int, offset_ms: int, interval_s: int) -> int:
    """The group's first evaluation time strictly after ``after_ms``."""
    return last_evaluation_ms(after_ms, offset_ms, interval_s) + interval_s * 1000


def path_evaluated_soon(
    directory: Path, group: str, interval_s: int, not_before_ms: int, candidates: int = 300
) -> Path:
    """A rule file name in ``directory`` whose ``group`` first runs soon after a time.

    Prometheus waits for a group's next evaluation time before running it at all;
    among ``candidates`` names, the one whose first run after ``not_before_ms`` comes
    soonest is chosen, so a test waits a fraction of a second instead of up to a minute.
    """

    def wait(path: Path) -> int:
        offset = group_offset_ns(group, path, interval_s) // NANOS_PER_MS
        return next_evaluation_ms(not_before_ms, offset, interval_s) - not_before_ms

    return min((directory / f"rules-{i}.yml" for i in range(candidates)), key=wait)
