import re

import yaml

import neuroflow as nf
from neuroflow.models.card import model_card
from tests.tables import survey_table


def _front_matter(card: str) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", card, re.S)
    assert match, card[:200]
    return yaml.safe_load(match.group(1))


def test_table_card_describes_categories_blanks_and_unseen_values(tmp_path):
    path = tmp_path / "survey.csv"
    survey_table(120).to_csv(path, index=False)
    model = nf.train(
        str(path), target="species", model="iris-mlp", epochs=1, progress="quiet", post_fit=False
    )
    card = model_card(model)
    assert (
        "| island | category | one-hot over 3 categories (Biscoe, Dream, Torgersen); "
        "unseen ones become all zeros |" in card
    )
    assert "| sex | category |" in card and "'is missing' column" in card
    assert "categories it never saw" in card and "tells Adelie, Chinstrap and Gentoo apart" in card
    assert f"| trained with | neuroflow {nf.__version__} |" in card


def test_regression_card(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=60)})
    df["price"] = 3 * df["a"] + rng.normal(size=60) * 0.1 + 50
    path = tmp_path / "prices.csv"
    df.to_csv(path, index=False)
    model = nf.train(str(path), target="price", model="iris-mlp", epochs=1, progress="quiet")
    model.config["metrics"] = {"mae": 1.5, "rmse": 2.0, "r2": 0.5}
    card = model_card(model)
    assert _front_matter(card)["pipeline_tag"] == "tabular-regression"
    assert "predicts price" in card and "Target 'price' standardised with mean" in card
    assert "![predicted vs true](predicted_vs_true.png)" in card and "| r2 | 0.5000 | R²" in card


def test_the_card_states_what_the_unknown_input_threshold_promises():
    from neuroflow.models.card_training import _unknown_check_lines

    check = {"method": "energy", "threshold": 1.0, "target_accept": 0.95}
    tight = _unknown_check_lines({**check, "validation_inputs": 200, "tight": True})
    assert any("n = 200 validation scores, so on average 95% of new" in line for line in tight)
    few = _unknown_check_lines({**check, "validation_inputs": 9, "tight": False})
    assert any("with only 9 validation inputs, only 90% can be promised" in line for line in few)
    assert _unknown_check_lines(None) == []
