"""neuroflow.data.tables.iris: the lesson's table, as a user's own CSV would have it."""

from neuroflow.data.tables.iris import iris_frame, load_iris


def test_iris_is_150_flowers_with_the_species_as_text():
    df = iris_frame()
    assert list(df.columns) == [
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
        "species",
    ]
    assert len(df) == 150 and df["species"].value_counts().to_dict() == {
        "setosa": 50,
        "versicolor": 50,
        "virginica": 50,
    }


def test_iris_splits_60_20_20_and_records_how_to_load_it_again():
    ds = load_iris(seed=0)
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (90, 30, 30)
    assert ds.class_names == ["setosa", "versicolor", "virginica"] and ds.input_shape == (4,)
    assert ds.source["name"] == "iris" and ds.source["target"] == "species"
