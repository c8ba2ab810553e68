"""The progress line: throttled redraws, counts only (no paths), cleared at the end."""

from __future__ import annotations

import io

from sealbox.scan.progress import ProgressLine, progress_for


def test_progress_line_draws_counts_and_clears() -> None:
    stream = io.StringIO()
    line = ProgressLine("scan tree", stream, interval=0.0)
    line(3, 2_500_000)
    line(7, 5_000_000)
    text = stream.getvalue()
    assert text.startswith("\rscan tree: 3 scanned, 2.5 MB")
    assert "\rscan tree: 7 scanned, 5.0 MB" in text
    line.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_is_throttled_and_silent_when_nothing_drawn() -> None:
    stream = io.StringIO()
    line = ProgressLine("scan", stream, interval=3600.0)
    line(1, 1)
    line(2, 2)
    assert stream.getvalue().count("\r") == 1
    silent = io.StringIO()
    ProgressLine("scan", silent).finish()
    assert silent.getvalue() == ""


def test_progress_only_on_request_or_terminal() -> None:
    assert progress_for(False, "x") is None
    assert isinstance(progress_for(True, "x"), ProgressLine)
    assert progress_for(None, "x") is None  # pytest's stderr is not a terminal
