"""`neuroflow filters`: the files it says it wrote exist; bad input is one line and exit status
2."""

from __future__ import annotations

import json

import pytest

from tests.images import shapes_folder

SPEC = (
    "layers:\n  - Conv2D(4, 3, padding='same', activation='relu')\n  - MaxPool2D(2)\n  - "
    "Flatten()\n  - Dense('auto', activation='auto')\n"
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from neuroflow.cli.main import run_app

    root = tmp_path_factory.mktemp("filters_cli")
    shapes = shapes_folder(root / "shapes", n=8)
    (root / "tiny.yaml").write_text(SPEC)
    args = [
        "train",
        shapes,
        "--model",
        root / "tiny.yaml",
        "--image-size",
        "12",
        "--epochs",
        "2",
        "--out",
        root / "m",
        "--quiet",
    ]
    assert run_app([str(a) for a in args]) == 0
    return root


def test_kernels_then_feature_maps(cli, trained, tmp_path):
    res = cli("filters", trained / "m", "--out", tmp_path / "k")
    assert res.code == 0, res.err
    assert "conv2d_1: 4 kernels 3x3 over 3 channels" in res.out
    assert (
        f"wrote {tmp_path / 'k' / 'kernels.png'}" in res.out
        and (tmp_path / "k" / "kernels.png").stat().st_size > 1000
    )
    assert (
        "wrote 12 kernel CSV files" in res.out and "neuroflow convolve PICTURE --kernel" in res.out
    )
    picture = trained / "shapes" / "circle" / "1.png"
    res = cli("filters", trained / "m", picture, "--out", tmp_path / "f")
    assert res.code == 0, res.err
    for name in ("input.png", "feature_maps_conv2d_1.png", "feature_maps_maxpool2d_2.png"):
        assert f"wrote {tmp_path / 'f' / name}" in res.out and (tmp_path / "f" / name).is_file()
    assert f"{picture}: " in res.out and "%)" in res.out
    report = json.loads(
        cli("filters", trained / "m", picture, "--out", tmp_path / "j", "--json").out
    )
    assert [m["layer"] for m in report["feature_maps"]] == ["conv2d_1", "maxpool2d_2"]
    assert report["input"]["shape"] == [12, 12, 3] and len(report["kernels"]) == 4


def test_bad_input_is_one_line_and_exit_2(cli, trained, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    cases = {
        "not a picture neuroflow can read": (
            "filters",
            trained / "m",
            text,
            "--out",
            tmp_path / "x",
        ),
        "empty file": ("filters", trained / "m", empty, "--out", tmp_path / "x"),
        "does not exist": (
            "filters",
            trained / "m",
            tmp_path / "missing.png",
            "--out",
            tmp_path / "x",
        ),
        "not found": ("filters", tmp_path / "no_model", "--out", tmp_path / "x"),
    }
    for message, args in cases.items():
        res = cli(*args)
        assert res.code == 2 and res.out == "" and message in res.err, (message, res.err)
        assert res.err.startswith("error: ") and res.err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_models_without_convolution_layers(cli, trained, tmp_path):
    res = cli("train", "iris", "--epochs", "1", "--out", tmp_path / "iris", "--quiet")
    assert res.code == 0, res.err
    res = cli("filters", tmp_path / "iris", "--out", tmp_path / "x")
    assert res.code == 2 and "is a table model, so it has no learned kernels" in res.err
    (tmp_path / "dense.yaml").write_text(
        "layers:\n  - Flatten()\n  - Dense('auto', activation='auto')\n"
    )
    res = cli(
        "train",
        trained / "shapes",
        "--model",
        tmp_path / "dense.yaml",
        "--image-size",
        "8",
        "--epochs",
        "1",
        "--out",
        tmp_path / "d",
        "--quiet",
    )
    assert res.code == 0, res.err
    res = cli(
        "filters", tmp_path / "d", trained / "shapes" / "square" / "1.png", "--out", tmp_path / "x"
    )
    assert (
        res.code == 2
        and "image model without Conv2D layers" in res.err
        and res.err.count("\n") == 1
    )
    assert not (tmp_path / "x").exists()
