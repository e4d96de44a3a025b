"""neuroflow.explain on a table model: each method's attributions, the completeness gap, columns
summed back from their one-hots, regression, and the one-line refusals."""

import numpy as np
import pandas as pd
import pytest

import neuroflow as nf
from neuroflow.errors import UsageError
from neuroflow.explain import METHODS, explain
from neuroflow.explain.importance import permutation_importance

ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


@pytest.fixture(scope="module")
def iris():
    ds = nf.load_dataset("iris")
    return nf.train(ds, model="iris-mlp", epochs=20, progress="quiet", post_fit=False), ds


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A table with a text column (one-hot), a blank (missing indicator), and a regression twin."""
    rng = np.random.default_rng(0)
    n = 160
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.normal(size=n)
    noise = rng.normal(size=n)
    y = np.where(colour == "red", 3.0, 0.0) + 0.1 * noise
    df = pd.DataFrame({"colour": colour, "size": size, "noise": noise, "y": y})
    df.loc[3, "size"] = None
    path = tmp_path_factory.mktemp("mixed") / "mixed.csv"
    df.to_csv(path, index=False)
    model = nf.train(path, target="y", task="regression", epochs=30, progress="quiet",
                     post_fit=False)  # fmt: skip
    return model, df


@pytest.mark.parametrize("method", ["integrated-gradients", "saliency", "occlusion"])
def test_each_method_gives_one_explanation_per_row_shaped_like_the_input(iris, method):
    model, _ = iris
    found = explain(model, ROWS, method=method)
    assert [e.name for e in found] == ["row 1", "row 2"]
    assert [e.label for e in found] == ["setosa", "virginica"]
    for e in found:
        assert e.input.shape == e.attributions.shape == (4,)
        assert np.isfinite(e.attributions).all() and np.abs(e.attributions).sum() > 0
        assert (e.completeness_gap is not None) == (method == "integrated-gradients")
        assert list(e.columns) == sorted(e.columns, key=lambda c: -abs(e.columns[c]))


def test_input_is_exactly_what_the_network_saw(iris):
    from neuroflow.models.raw_inputs import prepare_inputs

    model, _ = iris
    (e,) = explain(model, ROWS[:1])
    assert np.array_equal(e.input, prepare_inputs(model, ROWS[:1])[0][0])


def test_integrated_gradients_share_out_the_logit_change(iris):
    import torch

    model, _ = iris
    for e in explain(model, ROWS):
        k = model.class_names.index(e.label)
        with torch.no_grad():
            at = model.network(torch.from_numpy(e.input[None]))[0, k]
            base = model.network(torch.zeros(1, 4))[0, k]
        change = float(at - base)
        assert e.completeness_gap == pytest.approx(
            abs(e.attributions.sum() - change) / abs(change), abs=1e-4
        )
        assert e.completeness_gap <= 0.05


def test_a_chosen_target_is_explained_instead_of_the_answer(iris):
    model, _ = iris
    (e,) = explain(model, ROWS[:1], target="virginica")
    assert e.label == "virginica" and e.probability < 0.5
    with pytest.raises(UsageError, match="one of: setosa, versicolor, virginica"):
        explain(model, ROWS[:1], target="rose")


def test_unknown_method_lists_the_valid_ones(iris):
    with pytest.raises(UsageError) as err:
        explain(iris[0], ROWS, method="lime")
    assert all(m in str(err.value) for m in METHODS)


def test_gradcam_on_a_model_without_convolution_says_so(iris):
    with pytest.raises(UsageError, match="last convolution"):
        explain(iris[0], ROWS, method="gradcam")


def test_one_hot_columns_are_summed_back_and_a_regression_is_explained(mixed):
    model, df = mixed
    rows = df.drop(columns="y").head(6)
    found = explain(model, rows)
    for e in found:
        assert isinstance(e.label, float) and e.probability is None
        assert set(e.columns) == {"colour", "size", "noise"}
        assert sum(e.columns.values()) == pytest.approx(float(e.attributions.sum()), rel=1e-5)
        assert e.input.shape[0] > 3  # three colours one-hot plus the blank indicator of size
    red = [e for e, c in zip(found, rows["colour"], strict=True) if c == "red"]
    assert red and all(next(iter(e.columns)) == "colour" for e in red)


def test_permutation_importance_finds_the_column_the_target_depends_on(mixed):
    from neuroflow.data.tables.prepare import encode_target, transform

    model, df = mixed
    x = transform(df, model.preprocessing)
    y = encode_target(df["y"], model.preprocessing, None)
    found = permutation_importance(model, x, y)
    assert list(found)[0] == "colour" and found["colour"] > 0.5
    assert abs(found["noise"]) < 0.1


def test_an_onnx_model_is_refused_in_one_line(iris, tmp_path):
    from neuroflow.export.to_onnx import export_onnx

    model, _ = iris
    model.save(tmp_path / "m")
    export_onnx(tmp_path / "m", tmp_path / "m.onnx")
    with pytest.raises(UsageError, match="Open the model folder"):
        explain(nf.load(tmp_path / "m.onnx"), ROWS)


def test_without_captum_the_line_says_how_to_install_it(iris, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "captum", None)  # what an uninstalled package imports as
    with pytest.raises(UsageError, match=r"pip install 'neuroflow\[explain\]'"):
        explain(iris[0], ROWS)
