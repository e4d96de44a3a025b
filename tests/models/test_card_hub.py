"""Every card neuroflow writes is one the Hugging Face hub reads: huggingface_hub's ModelCard
parses a saved README.md (a local file, no network) and finds the figures as eval results."""

import numpy as np
import pandas as pd
import pytest

import neuroflow as nf
from tests.bars import TINY_CNN, bars_dataset

hub = pytest.importorskip("huggingface_hub")


def _load(folder):
    return hub.ModelCard.load(folder / "README.md")  # a path that is a file: read, not fetched


def _prices(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=60)})
    df["price"] = 3 * df["a"] + rng.normal(size=60) * 0.1 + 50
    path = tmp_path / "prices.csv"
    df.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("kind", "task", "figures"),
    [
        ("table", "tabular-classification", {"accuracy", "nll", "brier_score", "ece"}),
        ("image", "image-classification", {"accuracy", "nll", "brier_score", "ece"}),
        ("regression", "tabular-regression", {"mae", "rmse", "r_squared"}),
    ],
)
def test_hub_reads_every_card_before_and_after_evaluate(tmp_path, kind, task, figures):
    folder = tmp_path / kind
    if kind == "table":
        model = nf.train("iris", model="iris-mlp", epochs=1, progress="quiet", out=folder)
    elif kind == "image":
        data = bars_dataset(60)
        model = nf.train(data, TINY_CNN, epochs=1, progress="quiet", post_fit=False, out=folder)
    else:
        data = _prices(tmp_path)
        model = nf.train(data, target="price", epochs=1, progress="quiet", out=folder)
    before = _load(folder)
    assert before.data.library_name == "neuroflow" and before.data.pipeline_tag == task
    assert before.data.eval_results is None  # not evaluated yet: no figures to claim
    nf.evaluate(model, data) if kind == "image" else nf.evaluate(model)
    after = _load(folder).data
    assert after.model_name == model.config["name"]
    assert {r.metric_type for r in after.eval_results} == figures
    for r in after.eval_results:
        assert (r.task_type, r.dataset_name, r.dataset_split) == (task, after.datasets[0], "test")
    named = {r.metric_type: r.metric_value for r in after.eval_results}
    first = "accuracy" if "accuracy" in figures else "mae"
    assert named[first] == round(model.config["metrics"][first], 4)
