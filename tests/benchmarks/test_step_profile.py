"""benchmarks/step_profile.py: neuroflow's step is timed piece by piece, each piece a median in
ms."""

import math

from benchmarks.step_profile import FLOP_PER_IMAGE, MACS, lesson_cnn, step_pieces


def test_every_piece_of_a_step_gets_a_median_time():
    ms = step_pieces(steps=20, batch=64)
    assert list(ms) == ["batch", "parts and gradient sum", "Adam", "loss and accuracy", "step"]
    assert all(isinstance(v, float) and math.isfinite(v) and v > 0 for v in ms.values())


def test_the_arithmetic_count_matches_the_lesson_cnn():
    convs = [m for m in lesson_cnn() if type(m).__name__ == "Conv2d"]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (1, 16, (5, 5)),
        (16, 32, (5, 5)),
    ]
    assert MACS["conv1"] == 16 * 25 * 28 * 28 and MACS["conv2"] == 32 * 16 * 25 * 14 * 14
    assert 2 * (2 * MACS["conv1"] + 3 * MACS["conv2"] + 3 * MACS["dense"]) == FLOP_PER_IMAGE
