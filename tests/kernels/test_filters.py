"""Learned kernels and feature maps: the numbers drawn are the network's, a first-layer map is the
hand-made convolution of the prepared picture with that kernel, and files are written only for
usable input."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import neuroflow as nf
from neuroflow.errors import DataError, UsageError
from neuroflow.kernels import convolve, get_kernel, parse_kernel
from neuroflow.kernels.filters import closest_named, first_kernels, layer_outputs, write_filters
from tests.images import shapes_folder

SPEC = [
    "Conv2D(4, 3, padding='same', activation='relu')",
    "MaxPool2D(2)",
    "AveragePooling2D(2)",
    "Flatten()",
    "Dense('auto', activation='auto')",
]


def _train(folder, spec=SPEC, grey=True):
    ds = nf.load_dataset(str(folder), image_size=(12, 12), grayscale=grey)
    return nf.train(ds, spec, epochs=2, progress="quiet", post_fit=False)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return shapes_folder(tmp_path_factory.mktemp("filters") / "shapes", n=8)


@pytest.fixture(scope="module")
def grey_model(shapes):
    return _train(shapes)


def test_first_kernels_are_the_first_conv_weights(grey_model):
    k = first_kernels(grey_model)
    conv = grey_model.network.layers[0]
    conv = conv[0] if hasattr(conv, "__getitem__") else conv
    assert k.layer == "conv2d_1" and k.weights.shape == (4, 1, 3, 3) and k.activation == "relu"
    np.testing.assert_array_equal(k.weights, conv.weight.detach().numpy())
    np.testing.assert_array_equal(k.bias, conv.bias.detach().numpy())


def test_first_layer_map_is_the_hand_made_convolution(grey_model, shapes):
    picture = shapes / "triangle" / "1.png"
    x, maps, _ = layer_outputs(grey_model, picture)
    k = first_kernels(grey_model)
    layer, values = maps[0]
    assert layer.name == "conv2d_1" and values.shape == (4, 12, 12)
    for i in range(4):  # 'same' padding adds zeros past the edge: convolve's constant mode
        expected = np.maximum(
            convolve(x[..., 0] / 255.0, k.weights[i, 0], mode="constant") + k.bias[i], 0
        )
        np.testing.assert_allclose(values[i], expected, atol=1e-5)
    assert [b.kind for b, _ in maps] == ["Conv2D", "MaxPool2D", "AveragePooling2D"]
    assert [v.shape for _, v in maps] == [(4, 12, 12), (4, 6, 6), (4, 3, 3)]


def test_input_is_prepared_as_predict_prepares_it(grey_model, shapes):
    from neuroflow.models.raw_inputs import image_inputs

    picture = shapes / "circle" / "0.jpg"
    x, _, output = layer_outputs(grey_model, picture)
    seen, _, _ = image_inputs(grey_model, [picture])
    np.testing.assert_array_equal(x, seen[0])
    assert (
        nf.predict(grey_model, [picture])[0].label == grey_model.class_names[int(output.argmax())]
    )


def test_write_filters_files_and_csvs_that_convolve_reads(grey_model, shapes, tmp_path):
    out = tmp_path / "f"
    report = write_filters(grey_model, out, shapes / "square" / "2.png")
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "feature_maps_averagepooling2d_3.png",
        "feature_maps_conv2d_1.png",
        "feature_maps_maxpool2d_2.png",
        "input.png",
        "kernels",
        "kernels.png",
    ]
    assert sorted(p.name for p in (out / "kernels").iterdir()) == [
        f"kernel_0{i}.csv" for i in range(1, 5)
    ]
    weights = first_kernels(grey_model).weights
    for i in range(4):
        np.testing.assert_allclose(
            parse_kernel(str(out / "kernels" / f"kernel_0{i + 1}.csv")).parts[0],
            weights[i, 0],
            rtol=1e-5,
        )
    x, _, _ = layer_outputs(grey_model, shapes / "square" / "2.png")
    np.testing.assert_array_equal(
        np.asarray(Image.open(out / "input.png")), x[..., 0]
    )  # grey, as the model saw it
    assert [m["shape"] for m in report["feature_maps"]] == [[12, 12, 4], [6, 6, 4], [3, 3, 4]]
    assert (
        report["prediction"]["label"] in grey_model.class_names
        and 0 < report["prediction"]["probability"] <= 1
    )
    width, height = Image.open(out / "feature_maps_conv2d_1.png").size
    assert (
        width > 5 * 64 and height > 64
    )  # the input and 4 maps, each enlarged from 12 to at least 64 pixels


def test_colour_kernels_per_channel(shapes, tmp_path):
    model = _train(shapes, grey=False)
    report = write_filters(model, tmp_path / "c")
    files = sorted(p.name for p in (tmp_path / "c" / "kernels").iterdir())
    assert len(files) == 12 and files[:3] == [
        "kernel_01_B.csv",
        "kernel_01_G.csv",
        "kernel_01_R.csv",
    ]
    assert report["channels"] == 3 and "feature_maps" not in report
    grey = first_kernels(model).as_grey()
    np.testing.assert_allclose(grey, first_kernels(model).weights.sum(axis=1))
    assert (
        Image.open(tmp_path / "c" / "kernels.png").size[0] > 2 * 4 * 120
    )  # two filters a row: colour, R, G, B


def test_closest_named_kernel():
    sobel = get_kernel("sobel-x").parts[0]
    assert closest_named(sobel) == ("sobel-x", pytest.approx(1.0))
    assert closest_named(-2 * sobel) == ("-sobel-x", pytest.approx(1.0))
    assert closest_named(np.ones((5, 5)))[0] == "box-blur"
    assert closest_named(np.ones((2, 3))) is None


def test_activation_layer_does_not_overwrite_the_conv_map(shapes):
    model = _train(
        shapes,
        [
            "Conv2D(4, 3, padding='same')",
            "Activation('relu')",
            "MaxPool2D(2)",
            "Flatten()",
            "Dense('auto', activation='auto')",
        ],
    )
    _, maps, _ = layer_outputs(model, shapes / "circle" / "1.png")
    assert maps[0][1].min() < 0  # the Conv2D's own output, before the separate ReLU


def test_models_without_kernels_and_bad_pictures(shapes, tmp_path):
    dense = _train(shapes, ["Flatten()", "Dense('auto', activation='auto')"])
    with pytest.raises(UsageError, match="image model without Conv2D layers"):
        write_filters(dense, tmp_path / "d")
    iris = nf.train("iris", "iris-mlp", epochs=1, progress="quiet", post_fit=False)
    with pytest.raises(UsageError, match="table model"):
        write_filters(iris, tmp_path / "t")
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    with pytest.raises(DataError, match="not a picture"):
        write_filters(_train(shapes), tmp_path / "b", broken)
    assert not any((tmp_path / name).exists() for name in ("d", "t", "b"))


def test_filters_folder_is_written_whole_or_not_at_all(grey_model, shapes, tmp_path, monkeypatch):
    import neuroflow.kernels.filters as filters

    out = tmp_path / "f"
    write_filters(grey_model, out)
    before = {p.name: p.read_bytes() for p in (out / "kernels").iterdir()}

    def broken(img, path):
        raise OSError("disk full")

    monkeypatch.setattr(filters, "save_picture", broken)
    with pytest.raises(OSError, match="disk full"):
        write_filters(grey_model, out, shapes / "square" / "2.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]  # no temp folder left
    assert sorted(p.name for p in out.iterdir()) == ["kernels", "kernels.png"]
    assert {p.name: p.read_bytes() for p in (out / "kernels").iterdir()} == before


def test_filters_refuses_a_folder_of_other_files(grey_model, tmp_path):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"keep me")
    with pytest.raises(UsageError, match="holiday.jpg"):
        write_filters(grey_model, out)
    assert [p.name for p in out.iterdir()] == ["holiday.jpg"]
