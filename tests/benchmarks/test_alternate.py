"""benchmarks/alternate.py: two processes take turns, and only steps inside a process's own windows
count."""

from __future__ import annotations

import numpy as np
import pytest
from benchmarks.alternate import alternate, paired_ratios, steps_in_windows, window_medians


@pytest.mark.slow
def test_processes_take_turns_and_never_run_in_each_others_windows():
    (a, b), (wa, wb) = alternate(
        [["tests.benchmarks.alternate_child", 0.6], ["tests.benchmarks.alternate_child", 0.3]],
        window_s=0.2,
    )
    windows = sorted([(*w, "a") for w in wa] + [(*w, "b") for w in wb])
    for (_, end, _), (start, _, _) in zip(windows, windows[1:], strict=False):
        assert end <= start  # one at a time
    assert [w[2] for w in windows][:4] == ["a", "b", "a", "b"]  # in turn, a first
    for result, own in ((a, wa), (b, wb)):
        assert len(result["stamps"]) >= 200
        # a paused process does no work: every stamp is inside its own windows
        for t in result["stamps"]:
            assert any(start <= t <= end for start, end in own)
    # b, with half the work, finished first; a then ran alone to its end in one last window
    assert wa[-1][0] > wb[-1][1]


def test_only_steps_inside_one_window_count():
    stamps = [0.0, 1.0, 2.0, 3.5, 4.0, 4.5, 5.0]
    windows = [(0.0, 2.0), (3.0, 5.0)]  # the step from 2.0 to 3.5 spans a pause
    assert steps_in_windows(stamps, windows) == [1.0, 1.0, 0.5, 0.5, 0.5]
    assert window_medians(stamps, windows) == [1.0, 0.5]
    assert window_medians(stamps, [(5.5, 6.0)]) == [None]


def test_pairs_are_windows_of_the_same_turn_both_have():
    assert paired_ratios([2.0, None, 3.0, 4.0], [1.0, 1.0, 2.0]) == [2.0, 1.5]


@pytest.mark.slow
def test_settings_are_compared_turn_by_turn_in_one_process(mnist_dir):
    from benchmarks.ablation import BASE, SETTINGS, compare, describe

    rows = compare(str(mnist_dir), 512, seconds=0.5)
    assert [r["setting"] for r in rows] == [describe(s) for s, _ in SETTINGS]
    assert [r["base"] for r in rows].count(True) == 1 and rows[
        [s for s, _ in SETTINGS].index(BASE)
    ]["base"]
    assert rows[0]["speedup"] is None and all(
        isinstance(r["speedup"], float) and r["turns"] >= 1 for r in rows[1:]
    )
    # batch 256 and flushed denormals: against what neuroflow trains with
    assert rows[-2]["vs"] == rows[-1]["vs"] == describe(BASE)
    # the denormal setting left this thread's floats as they were
    assert np.nextafter(np.float32(0), np.float32(1)) * np.float32(1) > 0
