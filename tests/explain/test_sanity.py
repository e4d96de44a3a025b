"""The published sanity checks on a small MNIST CNN: model randomisation (Adebayo et al., 2018),
deletion of the most-attributed pixels on 200 test digits, and integrated gradients' completeness.

Model randomisation, ranked by size as the paper ranks it, does not pass the 0.3 bar here, and the
two tests that ask for it are expected failures (strict: they fail the suite once they pass, so the
marker goes): integrated gradients multiply by (input − black baseline), so their size is zero on
every black pixel whatever the weights, and the trained and re-initialised networks agree on the
~80% of an MNIST picture that is black; the last convolution's rectified maps follow the strokes
for any weights, so Grad-CAM's map does too. Ranked with their signs, integrated gradients do
change with the weights. benchmarks/explain.py reports the figures.
"""

import dataclasses

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.explain import explain_arrays
from neuroflow.explain.sanity import (
    completeness_gaps,
    deletion_wins,
    randomisation_correlation,
    randomised_network,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits(mnist_dir):
    from neuroflow.data.pictures.idx import load_idx_dataset

    d = load_idx_dataset("mnist", data_dir=mnist_dir)
    cut = dict(x_train=d.x_train[:6000], y_train=d.y_train[:6000], x_val=d.x_val[:300],
               y_val=d.y_val[:300], x_test=d.x_test[:200], y_test=d.y_test[:200])  # fmt: skip
    data = dataclasses.replace(d, **cut)
    model = nf.train(data, "mnist-fast", epochs=1, seed=0, progress="quiet", post_fit=False)
    return model, data.x_test


def test_the_randomised_network_is_the_same_architecture_with_other_weights(digits):
    model, _ = digits
    fresh = randomised_network(model)
    trained = model.network.state_dict()
    assert fresh.state_dict().keys() == trained.keys()
    assert all(v.shape == trained[k].shape for k, v in fresh.state_dict().items())
    assert not any(np.allclose(v, trained[k]) for k, v in fresh.state_dict().items() if v.ndim > 1)


SIZE_FOLLOWS_THE_STROKES = "|attributions| follow the digit's strokes whatever the weights"


@pytest.mark.xfail(strict=True, reason=SIZE_FOLLOWS_THE_STROKES)
@pytest.mark.parametrize("method", ["integrated-gradients", "gradcam"])
def test_attribution_sizes_change_when_the_weights_are_randomised(digits, method):
    model, x = digits
    assert randomisation_correlation(model, x[:20], method) <= 0.3


def test_integrated_gradients_change_sign_pattern_with_the_weights(digits):
    model, x = digits
    assert randomisation_correlation(model, x[:20], "integrated-gradients", absolute=False) <= 0.3


def test_blanking_the_most_attributed_pixels_hurts_more_than_random_ones(digits):
    model, x = digits
    assert len(x) == 200
    assert deletion_wins(model, x, "integrated-gradients").mean() >= 0.9


def test_integrated_gradients_are_complete_within_5_percent(digits):
    model, x = digits
    gaps = completeness_gaps(model, x[:50])
    assert gaps.max() <= 0.05
    found = explain_arrays(model, x[:3], ["a", "b", "c"])
    assert [e.completeness_gap for e in found] == pytest.approx(list(gaps[:3]), abs=1e-6)
    assert all(e.input.shape == e.attributions.shape == (28, 28, 1) for e in found)
    assert np.array_equal(found[0].input, x[0] * np.float32(1 / 255))
