"""The progress line of a long build: only on a terminal, only after a while."""

from __future__ import annotations

import io

import pytest

from slogen import cli_progress
from slogen.cli_progress import Progress, progress


def test_nothing_is_shown_before_the_delay_or_off_a_terminal() -> None:
    stream = io.StringIO()
    shown = Progress(stream)
    shown(1, 10)  # the build has only just started
    shown.clear()
    assert stream.getvalue() == ""
    with progress() as line:  # pytest's captured stderr is not a terminal
        assert line is None


def test_after_the_delay_the_line_is_rewritten_in_place_and_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_progress, "AFTER", 0.0)
    monkeypatch.setattr(cli_progress, "EVERY", 0.0)
    stream = io.StringIO()
    shown = Progress(stream)
    shown(3, 10)
    shown(10, 10)
    shown.clear()
    text = stream.getvalue()
    assert text.startswith("\rbuilding: 3 of 10 units")
    assert "\rbuilding: 10 of 10 units" in text and text.endswith("\r\x1b[K")
    assert "\n" not in text
