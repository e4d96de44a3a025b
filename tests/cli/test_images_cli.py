"""Images end to end, as a new user meets them: train on a folder of class subfolders, predict
pictures and folders, evaluate, preview augmentation, train digits; bad pictures and files are one
line and exit status 2."""

from __future__ import annotations

import json
import re
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.images import SHAPES, shapes_folder

TINY = [
    "Conv2D(4, 3, padding='same', activation='relu')",
    "MaxPool2D(2)",
    "Flatten()",
    "Dense('auto', activation='auto')",
]
LINE = re.compile(r"^(\S+): (circle|square|triangle) \((\d+\.\d)%\)( [✓✗])?")


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """A folder of 3 × 30 coloured shapes at 24–64 pixels, and the default image model trained on it
    at 16×16."""
    from neuroflow.cli.main import run_app

    root = tmp_path_factory.mktemp("images_cli")
    shapes_folder(root / "shapes", n=30)
    with (
        pytest.MonkeyPatch.context() as mp
    ):  # tiny pictures: a second thread only waits when the other core is busy
        mp.setenv("NEUROFLOW_THREADS", "1")
        assert (
            run_app(
                [
                    "train",
                    str(root / "shapes"),
                    "--image-size",
                    "16",
                    "--out",
                    str(root / "m"),
                    "--quiet",
                ]
            )
            == 0
        )
    return root


def test_train_folder_records_size_colour_and_classes(shapes):
    config = json.loads((shapes / "m" / "config.json").read_text())
    assert config["class_names"] == list(SHAPES) and config["input"]["shape"] == [16, 16, 3]
    assert config["preprocessing"] == {
        "type": "image",
        "height": 16,
        "width": 16,
        "channels": 3,
        "scale": 1 / 255,
        "prepare": "resize",
    }
    assert config["spec"]["name"] == "image-cnn" and config["training"]["epochs_run"] == 15
    assert json.loads((shapes / "m" / "history.json").read_text())[-1]["val_accuracy"] >= 0.7


def test_grayscale_and_colour_flags(cli, shapes, tmp_path):
    grey = shapes_folder(tmp_path / "grey", n=6, colour=False)
    (tmp_path / "tiny.yaml").write_text(json.dumps({"layers": TINY}))
    for folder, flag, channels in (
        (shapes / "shapes", "--grayscale", 1),
        (grey, "--color", 3),
        (grey, None, 1),
    ):
        out = tmp_path / f"m{channels}{flag}"
        res = cli(
            "train",
            folder,
            "--image-size",
            "10x12",
            *([flag] if flag else []),
            "--model",
            tmp_path / "tiny.yaml",
            "--epochs",
            "1",
            "--out",
            out,
            "--quiet",
        )
        assert res.code == 0, res.err
        assert json.loads((out / "config.json").read_text())["input"]["shape"] == [10, 12, channels]


def test_predict_files_one_line_each_then_the_table(cli, shapes, tmp_path):
    a, b = shapes / "shapes" / "circle" / "1.png", tmp_path / "b.jpg"
    Image.open(shapes / "shapes" / "square" / "3.jpg").save(b)
    res = cli("predict", shapes / "m", a, b)
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    first, second = LINE.match(lines[0]), LINE.match(lines[1])
    assert (
        first and first[1] == "1.png" and first[4] in (" ✓", " ✗")
    )  # the parent folder names the class
    assert (first[4] == " ✓") == (first[2] == "circle")
    assert (
        second and second[1] == "b.jpg" and second[4] is None
    )  # neither name nor folder is a class
    header = lines[3].split()
    assert header[:4] == ["Image", "circle", "square", "triangle"]
    row = lines[4].split()
    assert row[0] == "1.png" and sum(int(p.rstrip("%")) for p in row[1:4]) in (99, 100, 101)
    assert lines[3].index("triangle") + len("triangle") == lines[4].index(row[3]) + len(
        row[3]
    )  # numbers under their class


def test_predict_a_folder_and_its_agreement_with_evaluate(cli, shapes, tmp_path):
    res = cli("predict", shapes / "m", shapes / "shapes")
    assert res.code == 0, res.err
    lines = [LINE.match(line) for line in res.out.splitlines()[:90]]
    assert (
        all(lines) and len({m[1] for m in lines}) == 90
    )  # circle/1.png and square/1.png kept apart
    marks = [m[4] == " ✓" for m in lines]
    report = json.loads(
        cli("evaluate", shapes / "m", shapes / "shapes", "--out", tmp_path, "--json").out
    )
    assert report["accuracy"] == pytest.approx(sum(marks) / 90) and report["accuracy"] >= 0.8
    assert np.sum(report["confusion_matrix"]) == 90
    res = cli("evaluate", shapes / "m", shapes / "shapes", "--out", tmp_path / "ev")
    assert res.code == 0 and "accuracy" in res.out and "confusion matrix" in res.out
    assert (tmp_path / "ev" / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if report["accuracy"] < 1:
        assert Image.open(tmp_path / "ev" / "most_confident_wrong.png").size[0] > 200


def test_predict_formats_show_and_no_preprocess(cli, shapes, tmp_path):
    pictures = [shapes / "shapes" / "triangle" / "2.png", shapes / "shapes" / "square" / "0.jpg"]
    data = json.loads(cli("predict", shapes / "m", *pictures, "--format", "json").out)
    assert [d["input"] for d in data] == ["2.png", "0.jpg"] and [d["truth"] for d in data] == [
        "triangle",
        "square",
    ]
    assert sum(data[0]["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    rows = cli("predict", shapes / "m", *pictures, "--format", "csv").out.splitlines()
    assert (
        rows[0].startswith("input,prediction,probability,truth")
        and rows[0].endswith("circle,square,triangle")
        and len(rows) == 3
    )
    res = cli("predict", shapes / "m", *pictures, "--show", tmp_path / "seen.png")
    assert res.code == 0 and f"wrote {tmp_path / 'seen.png'}" in res.out
    assert Image.open(tmp_path / "seen.png").format == "PNG"
    # this model only resizes, so --no-preprocess changes nothing
    assert (
        json.loads(
            cli("predict", shapes / "m", *pictures, "--format", "json", "--no-preprocess").out
        )
        == data
    )


def test_no_preprocess_skips_the_digit_preparation(cli, tmp_path):
    import neuroflow as nf

    ds = nf.load_dataset("digits", image_size=(28, 28))
    assert ds.preprocessing["prepare"] == "digit"
    nf.train(ds, TINY, epochs=1, progress="quiet", post_fit=False, out=tmp_path / "d28")
    page = np.full((90, 60), 255, np.uint8)
    page[20:70, 27:33] = (
        0  # a dark one on white paper: prepared, it becomes light on black like the training digits
    )
    Image.fromarray(page).save(tmp_path / "one.png")
    prepared = json.loads(
        cli("predict", tmp_path / "d28", tmp_path / "one.png", "--format", "json").out
    )[0]
    raw = json.loads(
        cli(
            "predict", tmp_path / "d28", tmp_path / "one.png", "--format", "json", "--no-preprocess"
        ).out
    )[0]
    assert prepared["probabilities"] != raw["probabilities"]


def test_augment_preview(cli, shapes, tmp_path):
    res = cli(
        "augment",
        "preview",
        shapes / "shapes",
        "--augment",
        "flip,rotate=20",
        "--n",
        "3",
        "--out",
        tmp_path / "aug.png",
    )
    assert res.code == 0 and "3 training images of shapes" in res.out
    width, height = Image.open(tmp_path / "aug.png").size
    assert width > height > 0  # 3 rows, 5 columns: the original and 4 augmented versions


@pytest.mark.slow
def test_digits_learn_with_default_settings(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(
        "NEUROFLOW_THREADS", "1"
    )  # a tiny network: one thread is several times faster on a busy machine
    res = cli("train", "digits", "--out", tmp_path / "digits")
    assert res.code == 0, res.err
    assert "digits: image, inputs 8×8×1, 10 classes" in res.out and "Epoch 15/15" in res.out
    assert float(re.search(r"test accuracy (\d\.\d+)", res.out)[1]) >= 0.95


@pytest.mark.slow
def test_digits_at_28_pixels_learn_too(monkeypatch):
    import neuroflow as nf

    monkeypatch.setenv("NEUROFLOW_THREADS", "1")
    ds = nf.load_dataset("digits", image_size=(28, 28))
    model = nf.train(ds, progress="quiet", post_fit=False)
    assert nf.evaluate(model, ds)["accuracy"] >= 0.9  # the old recipe gave 0.14–0.29 here


def _png(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height grey pixels, with almost no data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _idx(arr: np.ndarray, magic: int | None = None) -> bytes:
    magic = magic if magic is not None else (0x0803 if arr.ndim == 3 else 0x0801)
    return (
        magic.to_bytes(4, "big")
        + b"".join(d.to_bytes(4, "big") for d in arr.shape)
        + arr.astype(np.uint8).tobytes()
    )


def _mnist_files(folder, images: bytes, labels: bytes):
    folder.mkdir(parents=True)
    (folder / "train-images-idx3-ubyte").write_bytes(images)
    (folder / "train-labels-idx1-ubyte").write_bytes(labels)
    (folder / "t10k-images-idx3-ubyte").write_bytes(_idx(np.zeros((3, 28, 28))))
    (folder / "t10k-labels-idx1-ubyte").write_bytes(_idx(np.zeros(3)))
    return folder.parent


def test_bad_pictures_and_files_are_one_line_and_exit_2(cli, shapes, tmp_path):
    good = (shapes / "shapes" / "circle" / "1.png").read_bytes()
    files = {
        "truncated.png": good[: len(good) // 2],
        "empty.png": b"",
        "notes.png": b"shopping list: eggs\n",
        "huge.png": _png(30000, 30000),
        "rows.csv": b"a,b\n1,2\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    one_class = tmp_path / "one"
    shapes_folder(one_class, n=3, classes=("circle",))
    res = cli("train", "iris", "--epochs", "1", "--out", tmp_path / "iris", "--quiet")
    assert res.code == 0, res.err
    cases = {
        "truncated": ("predict", shapes / "m", tmp_path / "truncated.png"),
        "empty file (0 bytes)": ("predict", shapes / "m", tmp_path / "empty.png"),
        "is not a picture neuroflow can read": ("predict", shapes / "m", tmp_path / "notes.png"),
        "megapixels": ("predict", shapes / "m", tmp_path / "huge.png"),
        "has magic number 0x00000801; images files have 0x00000803": (
            "train",
            "mnist",
            "--data-dir",
            _mnist_files(
                tmp_path / "magic" / "mnist", _idx(np.zeros((3, 28, 28)), 0x0801), _idx(np.zeros(3))
            ),
        ),
        "holds 3 images but train-labels-idx1-ubyte holds 2 labels": (
            "train",
            "mnist",
            "--data-dir",
            _mnist_files(
                tmp_path / "counts" / "mnist", _idx(np.zeros((3, 28, 28))), _idx(np.zeros(2))
            ),
        ),
        "has only one class (circle)": ("train", one_class, "--out", tmp_path / "never"),
        "is a picture, but a table (CSV rows) is needed here": (
            "predict",
            tmp_path / "iris",
            tmp_path / "notes.png",
        ),
        "is not a picture but a table (CSV rows), and this model takes pictures": (
            "predict",
            shapes / "m",
            tmp_path / "rows.csv",
        ),
    }
    for message, args in cases.items():
        res = cli(*args)
        assert res.code == 2 and message in res.err, (message, res.err)
        assert (
            res.err.startswith("error: ")
            and res.err.count("\n") == 1
            and "Traceback" not in res.err
        )
    assert not (tmp_path / "never").exists()


def test_a_bad_picture_in_a_training_folder_leaves_no_model(cli, shapes, tmp_path):
    folder = shapes_folder(tmp_path / "pics", n=4)
    (folder / "square" / "broken.png").write_bytes((folder / "square" / "1.png").read_bytes()[:60])
    res = cli("train", folder, "--out", tmp_path / "m", "--strict")  # else skipped with a count
    assert res.code == 2 and "broken.png" in res.err and res.err.count("\n") == 1
    assert not (tmp_path / "m").exists()
