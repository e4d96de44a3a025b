import numpy as np
import pandas as pd
import pytest

from neuroflow.data import load_dataset
from neuroflow.data.tables.fit import feature_names, fit_preprocessing
from neuroflow.data.tables.prepare import transform
from neuroflow.errors import DataError, UsageError
from tests.tables import survey_table


@pytest.fixture
def survey_csv(tmp_path):
    path = tmp_path / "survey.csv"
    survey_table().to_csv(path, index=False)
    return path


def test_survey_table_is_encoded_from_training_rows(survey_csv):
    ds = load_dataset(str(survey_csv), target="species", seed=1)
    assert ds.task == "classification"
    assert ds.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    prep = ds.preprocessing
    numeric = {c["name"]: c for c in prep["columns"] if c["kind"] == "numeric"}
    # Means come from the training rows only.
    raw = pd.read_csv(survey_csv)
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == len(raw)
    assert numeric["bill_depth_mm"]["mean"] != pytest.approx(raw["bill_depth_mm"].mean(), abs=1e-9)
    assert numeric["bill_length_mm"]["missing_indicator"] is True
    island = next(c for c in prep["columns"] if c["name"] == "island")
    assert island["categories"] == ["Biscoe", "Dream", "Torgersen"]
    assert "island=Dream" in ds.feature_names and "sex is missing" in ds.feature_names
    assert not np.isnan(ds.x_train).any()
    # Standardised on the training split: mean ≈ 0, std ≈ 1.
    col = ds.feature_names.index("bill_depth_mm")
    assert abs(ds.x_train[:, col].mean()) < 1e-5 and ds.x_train[:, col].std() == pytest.approx(
        1, abs=1e-4
    )


def test_split_is_stratified_and_seeded(survey_csv):
    a = load_dataset(str(survey_csv), target="species", seed=3)
    b = load_dataset(str(survey_csv), target="species", seed=3)
    c = load_dataset(str(survey_csv), target="species", seed=4)
    assert np.array_equal(a.x_test, b.x_test) and not np.array_equal(a.x_test, c.x_test)
    share = np.bincount(a.y_test) / len(a.y_test)
    overall = np.bincount(np.concatenate([a.y_train, a.y_val, a.y_test])) / (
        len(a.y_train) + len(a.y_val) + len(a.y_test)
    )
    assert np.allclose(share, overall, atol=0.03)


def test_unseen_category_and_blank_at_predict_time():
    df = survey_table(60)
    prep = fit_preprocessing(df, "species", "classification")
    row = pd.DataFrame(
        [
            {
                "island": "Atlantis",
                "bill_length_mm": None,
                "bill_depth_mm": 18.0,
                "flipper_length_mm": 200,
                "body_mass_g": 4000,
                "sex": None,
            }
        ]
    )
    x = transform(row, prep)
    names = [c["name"] for c in prep["columns"]]
    assert x.shape == (
        1,
        len(feature_names(prep)),
    )
    assert "island" in names and not np.isnan(x).any()


def test_regression_target_is_detected(tmp_path):
    from tests.tables import diabetes_table

    path = tmp_path / "diabetes.csv"
    diabetes_table().to_csv(path, index=False)
    ds = load_dataset(str(path), target="progression")
    assert ds.task == "regression" and ds.class_names is None
    assert "target_mean" in ds.preprocessing


@pytest.mark.parametrize(
    ("content", "target", "message"),
    [
        (b"", "y", "is empty"),
        (b"a,b,y\n", "y", "no rows"),
        (b"a,y\n1,x\n2,x\n3,x\n4,x\n5,x\n6,x\n7,x\n8,x\n9,x\n10,x\n", "y", "single class"),
        (b"a,b,y\n1,,p\n2,,q\n", "y", "blank in every row"),
        (b"a,y\n1,p\n", "nope", "no column 'nope'"),
        ("a,y\ncaf\u00e9,p\n".encode("latin-1"), "y", "not UTF-8"),
    ],
)
def test_bad_tables_are_refused(tmp_path, content, target, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_dataset(str(path), target=target)


def test_missing_target_flag_names_columns(survey_csv):
    with pytest.raises(UsageError, match="--target"):
        load_dataset(str(survey_csv))


def test_missing_file():
    with pytest.raises(DataError, match="no dataset called"):
        load_dataset("does-not-exist.csv", target="y")
