import numpy as np
import pandas as pd
import pytest

import neuroflow as nf
from neuroflow.evaluation.unknown_inputs import (
    conformal_threshold,
    detection_figures,
    fit_gaussians,
)
from neuroflow.models.detector import mahalanobis
from tests.tables import survey_table


def test_detection_figures_on_separable_scores():
    figs = detection_figures(np.linspace(0, 1, 100), np.linspace(2, 3, 50))
    assert figs["auroc"] == 1.0 and figs["fpr_at_95_tpr"] == 0.0 and figs["aupr"] == 1.0


@pytest.mark.parametrize("seed", range(6))
def test_auroc_and_average_precision_match_scikit_learn(seed):
    from sklearn.metrics import average_precision_score, roc_auc_score

    from neuroflow.evaluation.metrics import auroc, average_precision

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    labels = np.r_[0, 1, rng.integers(0, 2, n)]
    scores = rng.normal(labels * rng.uniform(0, 2), 1)
    if seed % 2:  # many ties, as rounded scores or a saturated score give
        scores = np.round(scores, 1)
    assert auroc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert average_precision(labels, scores) == pytest.approx(
        average_precision_score(labels, scores), abs=1e-12
    )


def test_mahalanobis_is_small_near_a_class_and_large_far_away():
    rng = np.random.default_rng(0)
    feats = np.r_[rng.normal(0, 1, (200, 3)), rng.normal(5, 1, (200, 3))]
    y = np.r_[np.zeros(200, int), np.ones(200, int)]
    means, precision = fit_gaussians(feats, y, 2)
    near, far = (
        mahalanobis(np.array([[0.1, 0, 0], [5, 5, 5.1]]), means, precision),
        mahalanobis(np.array([[40.0, -40, 40]]), means, precision),
    )
    assert near.max() < 2 and far[0] > 100


@pytest.mark.parametrize("n", [19, 40, 100, 1000])
def test_conformal_threshold_accepts_the_promised_share_of_fresh_known_inputs(n):
    # Over many draws of n validation scores and fresh scores from the same distribution, the
    # share accepted is at least q on average, and no more than q + 1/(n+1) (not needlessly loose).
    rng = np.random.default_rng(n)
    q, shares = 0.95, []
    for _ in range(2000):
        threshold, tight = conformal_threshold(rng.normal(size=n), q)
        shares.append((rng.normal(size=200) <= threshold).mean())
        assert tight
    mean, spread = np.mean(shares), np.std(shares) / np.sqrt(len(shares))
    assert q - 3 * spread <= mean <= q + 1 / (n + 1) + 3 * spread


def test_conformal_threshold_is_the_rank_ceil_n_plus_one_q_score():
    scores = np.arange(100.0)[::-1]  # order does not matter
    assert conformal_threshold(scores, 0.95) == (95.0, True)  # ceil(101 * 0.95) = 96th smallest
    assert conformal_threshold(np.arange(20.0), 0.95) == (19.0, True)  # ceil(21*0.95) = 20 = n


def test_conformal_threshold_on_too_few_inputs_is_the_largest_and_not_tight():
    assert conformal_threshold(np.array([3.0, 1.0, 2.0]), 0.95) == (3.0, False)
    assert conformal_threshold(np.arange(18.0), 0.95) == (17.0, False)


@pytest.fixture(scope="module")
def survey_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("ood") / "survey.csv"
    survey_table().to_csv(path, index=False)
    model = nf.train(str(path), target="species", progress="quiet")
    out = tmp_path_factory.mktemp("ood") / "model"
    model.save(out)
    return nf.load(out), path


def test_table_model_flags_a_row_far_from_anything_seen(survey_model):
    model, _ = survey_model
    assert (
        model.config["ood"]["method"] == "mahalanobis"
        and 0.9 <= model.config["ood"]["target_accept"] < 1
    )
    check = model.config["ood"]
    assert check["validation_inputs"] >= 1 and check["tight"] == (check["validation_inputs"] >= 19)
    rows = pd.DataFrame(
        [
            {
                "island": "Biscoe",
                "bill_length_mm": 47.5,
                "bill_depth_mm": 15.0,
                "flipper_length_mm": 217,
                "body_mass_g": 5080,
                "sex": "male",
            },
            {
                "island": "Biscoe",
                "bill_length_mm": 470.0,
                "bill_depth_mm": -15.0,
                "flipper_length_mm": 2170,
                "body_mass_g": 50,
                "sex": "male",
            },
        ]
    )
    first, far = nf.predict(model, rows)
    assert first.known and first.label == "Gentoo"
    assert not far.known and far.as_dict()["verdict"] == "unknown — not like the training data"


def test_cli_reject_prints_unknown(survey_model, cli, tmp_path):
    model, _ = survey_model
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\nBiscoe,470,-15,2170,50,male\n"
    )
    res = cli("predict", model.path, rows, "--reject")
    assert res.code == 0 and "Prediction is 'unknown'" in res.out


def test_evaluate_ood_on_a_table(survey_model, cli, tmp_path):
    model, _ = survey_model
    other = tmp_path / "other.csv"
    survey_table(100, seed=5).assign(
        bill_length_mm=lambda d: d.bill_length_mm * 10,
        flipper_length_mm=lambda d: d.flipper_length_mm * 10,
    ).to_csv(other, index=False)
    res = cli("evaluate", model.path, "--ood", other, "--json", "--out", tmp_path / "pics")
    assert res.code == 0, res.err
    import json

    report = json.loads(res.out)["ood"]
    assert report["auroc"] > 0.95 and (tmp_path / "pics" / "unknown_scores.png").exists()


def test_a_wide_table_keeps_one_variance_a_column_not_a_square_matrix():
    """5,000 columns made a 100 MB detector and peaked over 1 GB: past FULL_COVARIANCE_WIDTH
    columns the shared covariance is its diagonal, and the distance is measured with it."""
    from neuroflow.evaluation.unknown_inputs import FULL_COVARIANCE_WIDTH, fit_gaussians
    from neuroflow.models.detector import mahalanobis

    rng = np.random.default_rng(0)
    width = FULL_COVARIANCE_WIDTH + 1
    x = rng.normal(size=(200, width)).astype(np.float32) * np.linspace(1, 3, width)
    y = np.arange(200) % 2
    means, precision = fit_gaussians(x, y, 2)
    assert precision.shape == (width,)
    var = ((x - means[y]) ** 2).sum(0) / 199
    assert np.allclose(1 / precision, var + 1e-3 * var.mean() + 1e-6, rtol=1e-4)
    far = mahalanobis(x[:3] + 10, means, precision)
    manual = [min(((r - m) ** 2 * precision).sum() for m in means) for r in x[:3] + 10]
    assert np.allclose(far, manual, rtol=1e-4)
    narrow_means, matrix = fit_gaussians(x[:, :4], y, 2)
    assert matrix.shape == (4, 4)
    d = x[:5, :4] - narrow_means[0]
    expected = np.minimum(
        np.einsum("nd,de,ne->n", d, matrix, d),
        np.einsum("nd,de,ne->n", x[:5, :4] - narrow_means[1], matrix, x[:5, :4] - narrow_means[1]),
    )
    assert np.allclose(mahalanobis(x[:5, :4], narrow_means, matrix), expected, rtol=1e-5)


def test_a_blank_in_a_row_does_not_make_it_unknown(tmp_path):
    """Blanks are fine: a cell left blank where 5% of the training rows were blank scores as the
    row with that cell filled in with the training mean, not far beyond the threshold."""
    df = survey_table()
    df.to_csv(tmp_path / "survey.csv", index=False)
    model = nf.train(
        str(tmp_path / "survey.csv"), target="species", epochs=2, progress="quiet", seed=1
    )
    row = df.drop(columns="species").dropna().iloc[[0]].reset_index(drop=True)
    blank = row.copy()
    blank.loc[0, "body_mass_g"] = np.nan
    filled = row.copy()
    filled.loc[0, "body_mass_g"] = model.preprocessing["columns"][4]["mean"]
    assert model.preprocessing["columns"][4]["name"] == "body_mass_g"
    (with_blank,), (with_mean,) = nf.predict(model, blank), nf.predict(model, filled)
    assert with_blank.score == pytest.approx(with_mean.score, rel=1e-4)
    assert with_blank.known
