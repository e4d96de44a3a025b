import numpy as np
import pytest

from neuroflow.errors import UsageError
from neuroflow.models.detector import METHODS, mahalanobis, needs_features, scores_for

LOGITS = np.array([[5.0, 0.0, 0.0], [0.1, 0.0, 0.0]])


def test_confident_logits_score_lower_for_each_logit_method():
    for method in ("energy", "maxlogit", "msp"):
        near, far = scores_for(method, None, LOGITS, 1.0, {})
        assert near < far, method


def test_mahalanobis_measures_the_distance_to_the_nearest_class_mean():
    means = np.array([[0.0, 0.0], [10.0, 0.0]], dtype=np.float32)
    precision = np.eye(2, dtype=np.float32)
    features = np.array([[9.0, 0.0], [5.0, 3.0]], dtype=np.float32)
    assert np.allclose(mahalanobis(features, means, precision), [1.0, 34.0])
    params = {"means": means, "precision": precision}
    assert np.allclose(scores_for("mahalanobis", features, LOGITS, 1.0, params), [1.0, 34.0])


def test_methods_resolve_through_the_registry_and_an_unknown_one_lists_them():
    assert list(METHODS) == ["mahalanobis", "energy", "maxlogit", "msp"]
    assert needs_features("Mahalanobis") and not needs_features("energy")
    with pytest.raises(UsageError, match="unknown unknown-input method 'odin'") as err:
        scores_for("odin", None, LOGITS, 1.0, {})
    assert err.value.hint == "choose one of: mahalanobis, energy, maxlogit, msp"
