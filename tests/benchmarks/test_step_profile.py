"""benchmarks/step_profile.py: neuroflow's step splits into pieces that add up to at most the whole
step."""

from benchmarks.step_profile import step_pieces


def test_the_pieces_of_a_step_fit_inside_it():
    ms = step_pieces(steps=20, batch=64)
    assert set(ms) == {"batch", "parts and gradient sum", "Adam", "loss and accuracy", "step"}
    assert all(v > 0 for v in ms.values())
    assert ms["parts and gradient sum"] > ms["Adam"]  # the network's work outweighs the update
    assert ms["parts and gradient sum"] < ms["step"]
