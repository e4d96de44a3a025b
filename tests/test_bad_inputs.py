"""Bad input on every command: exit status 2 (1 for a failed check), one `error:` line naming the
problem.

Each case builds its bad input in a fresh folder, runs the command there and checks that nothing was
left behind: no new file or folder (hidden temp files included), and the shared models unchanged.
"""

from __future__ import annotations

import builtins
import gzip
import io
import json
import os
import shutil
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from neuroflow import __version__

DIR = object()  # in a case's files: make an empty folder here


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    """A tiny iris classifier (2 epochs), picture classifier and regression model (1 epoch), shared
    by every case."""
    import neuroflow as nf

    root = tmp_path_factory.mktemp("models")
    pictures = root / "pictures"
    for label in ("cat", "dog"):
        _pictures(pictures / label, 6)
    nf.train("iris", epochs=2, progress="quiet", out=root / "iris")
    nf.train(str(pictures), epochs=1, progress="quiet", out=root / "image")
    (root / "houses.csv").write_text(
        "rooms,price\n" + "".join(f"{i % 5 + 1},{100 + 7.5 * i}\n" for i in range(20))
    )
    nf.train(
        str(root / "houses.csv"),
        target="price",
        epochs=1,
        progress="quiet",
        out=root / "regression",
    )
    return {
        "iris": root / "iris",
        "image": root / "image",
        "regression": root / "regression",
        "pictures": pictures,
    }


def _pictures(folder: Path, n: int, size: int = 8) -> None:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(len(str(folder)))
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8)).save(
            folder / f"{i}.png"
        )


def _pictures_file(path: Path, models: dict) -> None:
    """Files entry: one 8x8 grey picture."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8) * 4).save(path)


def _twenty_megapixels(path: Path, models: dict) -> None:
    """Files entry: a 5000x4000 PNG of a few kB, more than a prediction decodes."""
    from PIL import Image

    Image.new("1", (5000, 4000)).save(path)


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def config(change):
    """Files entry: a copy of the iris model whose config.json is passed through `change` (a dict
    edit)."""

    def build(path: Path, models: dict) -> None:
        shutil.copytree(models["iris"], path)
        cfg = json.loads((path / "config.json").read_text())
        new = change(cfg)
        (path / "config.json").write_text(json.dumps(cfg if new is None else new))

    return build


def model_copy(edit):
    """Files entry: a copy of the iris model, then `edit(folder)` (damage a file in it)."""

    def build(path: Path, models: dict) -> None:
        shutil.copytree(models["iris"], path)
        edit(path)

    return build


def pictures(n: int = 6, extra: dict | None = None):
    """Files entry: a class-per-folder picture set (cat/, dog/), plus `extra` files inside it."""

    def build(path: Path, models: dict) -> None:
        for label in ("cat", "dog"):
            _pictures(path / label, n)
        for name, content in (extra or {}).items():
            _write(path / name, content, models)

    return build


def idx(broken: str | None = None, data=None):
    """Files entry: the four MNIST IDX files, 20 tiny examples, with `broken` replaced by `data`."""
    names = (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    )

    def build(path: Path, models: dict) -> None:
        path.mkdir(parents=True)
        for name in names:
            arr = (
                np.zeros((20, 28, 28), np.uint8)
                if "images" in name
                else np.arange(20, dtype=np.uint8) % 10
            )
            _write(path / name, idx_bytes(arr), models)
        if broken is not None:
            (path / broken).unlink()
            if data is not None:
                _write(
                    path
                    / (
                        broken + ".gz"
                        if isinstance(data, bytes) and data[:2] == b"\x1f\x8b"
                        else broken
                    ),
                    data,
                    models,
                )

    return build


def idx_bytes(arr: np.ndarray) -> bytes:
    return (
        struct.pack(">I", 0x0800 | arr.ndim)
        + b"".join(struct.pack(">I", d) for d in arr.shape)
        + arr.tobytes()
    )


def _write(path: Path, content, models: dict) -> None:
    if callable(content):
        content(path, models)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is DIR:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


SPEC_TAIL = '  - Dense(units="auto", activation="auto")\n'
JUNK = bytes(range(128, 256)) * 4
ROWS = "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n"
TINY = "a,b\n1,x\n2,y\n3,x\n4,y\n5,x\n6,y\n7,x\n8,y\n9,x\n10,y\n"


def spec(*lines: str, tail: bool = True) -> str:
    return "layers:\n" + "".join(f"  - {line}\n" for line in lines) + (SPEC_TAIL if tail else "")


def zip_bytes(entries: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
    return buf.getvalue()


# A checkpoint as 'neuroflow train' records it, with damaged tensors.
CHECKPOINT_FORMAT = {
    "format": "neuroflow-checkpoint",
    "format_version": 2,
    "neuroflow": __version__,
}
CHECKPOINT = {
    "run/checkpoint/state.json": json.dumps(
        {
            **CHECKPOINT_FORMAT,
            "epoch": 1,
            "history": [],
            "run": {
                "data": "iris",
                "target": None,
                "task": None,
                "model": None,
                "data_dir": None,
                "augment": None,
                "augment_test": False,
                "image_size": None,
                "grayscale": None,
                "seed": 0,
                "from_model": None,
                "freeze": None,
                "new_head": False,
                "epochs": 3,
                "batch_size": None,
                "lr": None,
                "optimizer": None,
                "early_stopping": None,
                "on_nan": "stop",
            },
            "optimizer": {"state": {}, "param_groups": []},
            "scheduler": None,
            "has_best": False,
        }
    ),
    "run/checkpoint/state.safetensors": b"junk",
}


def case(id_, args, phrase, files=None, code=2):
    return pytest.param(args, phrase, files or {}, code, id=id_)


CASES = [
    # data files: tables
    case("train-missing-file", "train nowhere.csv --target a", "no such file or folder"),
    case("train-empty-csv", "train data.csv --target a", "is empty", {"data.csv": ""}),
    case("train-binary-csv", "train data.csv --target a", "is not utf-8 text", {"data.csv": JUNK}),
    case(
        "train-header-only",
        "train data.csv --target a",
        "has a header but no rows",
        {"data.csv": "a,b\n"},
    ),
    case(
        "train-ragged-csv",
        "train data.csv --target a",
        "cannot be read as csv",
        {"data.csv": 'a,b\n1,2\n3,"4\n'},
    ),
    case(
        "train-duplicate-column",
        "train data.csv --target a",
        "column name 'a' twice",
        {"data.csv": "a,a\n1,2\n"},
    ),
    case(
        "train-unknown-target", "train data.csv --target zz", "no column 'zz'", {"data.csv": TINY}
    ),
    case("train-no-target", "train data.csv", "which column to predict", {"data.csv": TINY}),
    case(
        "train-one-class",
        "train data.csv --target b",
        "single class",
        {"data.csv": "a,b\n1,x\n2,x\n3,x\n"},
    ),
    case(
        "train-wrong-extension",
        "train data.png",
        "is not a csv file or an image folder",
        {"data.png": JUNK},
    ),
    case(
        "train-infinite-feature",
        "train data.csv --target b",
        "column 'a' has an infinite value (data.csv, row 3)",
        {"data.csv": TINY.replace("\n3,", "\ninf,")},
    ),
    case(
        "train-infinite-target",
        "train data.csv --target a",
        "column 'a' has an infinite value",
        {"data.csv": TINY.replace("\n3,", "\n-inf,")},
    ),
    case(
        "train-numbers-too-large",
        "train data.csv --target b",
        "too large to standardise",
        {"data.csv": TINY.replace("\n3,", "\n1e300,").replace("\n4,", "\n-1e300,")},
    ),
    case(
        "predict-number-too-long",
        "predict {iris} rows.csv",
        "column 'sepal_length' has a number too large to read (row 1)",
        {"rows.csv": ROWS.replace("5.1", "9" * 400)},
    ),
    case(
        "train-number-too-long",
        "train data.csv --target b",
        "column 'a' has a number too large to read (data.csv, row 3)",
        {"data.csv": TINY.replace("\n3,", "\n" + "9" * 400 + ",")},
    ),
    case(
        "predict-value-beyond-the-model",
        "predict {iris} rows.csv",
        "too far from the training values to compute with (row 1)",
        {"rows.csv": ROWS.replace("5.1", "1e308")},
    ),
    case(
        "predict-json-value-beyond-the-model",
        "predict {iris} rows.csv --format json",
        "too far from the training values",
        {"rows.csv": ROWS.replace("5.1", "-1e308")},
    ),
    case(
        "predict-row-with-an-extra-field",
        "predict {iris} rows.csv",
        "the rows have 5 fields but the header names 4",
        {"rows.csv": ROWS.replace("0.2\n", "0.2,9\n")},
    ),
    case(
        "train-rows-with-an-extra-field",
        "train data.csv --target b",
        "the rows have 3 fields but the header names 2",
        {"data.csv": TINY.replace("x\n", "x,\n").replace("y\n", "y,\n")},
    ),
    case("inspect-empty-name", ["inspect", ""], "no data was given"),
    case("tune-empty-name", ["tune", "", "--trials", "1"], "no data was given"),
    case("inspect-empty-csv", "inspect data.csv", "is empty", {"data.csv": ""}),
    case("predict-picture-to-table-model", "predict {iris} p.png", "is a picture, but a table"),
    case(
        "predict-missing-columns",
        "predict {iris} rows.csv",
        "lacks column(s)",
        {"rows.csv": "a,b\n1,2\n"},
    ),
    case(
        "predict-text-in-number-column",
        "predict {iris} rows.csv",
        "is not a number",
        {"rows.csv": ROWS.replace("5.1", "tall")},
    ),
    case(
        "predict-infinite-value",
        "predict {iris} rows.csv",
        "has an infinite value (row 1)",
        {"rows.csv": ROWS.replace("5.1", "inf")},
    ),
    case(
        "evaluate-text-in-numeric-target",
        "evaluate {regression} rows.csv",
        "the target 'price' has a value that is not a number: 'cheap'",
        {"rows.csv": "rooms,price\n2,120\n3,cheap\n"},
    ),
    case(
        "evaluate-infinite-target",
        "evaluate {regression} rows.csv",
        "column 'price' has an infinite value (row 2)",
        {"rows.csv": "rooms,price\n2,120\n3,inf\n"},
    ),
    case(
        "predict-folder-as-csv", "predict {iris} rows", "is a folder, not a csv file", {"rows": DIR}
    ),
    case(
        "evaluate-csv-without-target",
        "evaluate {iris} rows.csv",
        "no column 'species'",
        {"rows.csv": ROWS},
    ),
    # data files: pictures and picture folders
    case(
        "train-class-name-not-utf8",
        "train pics --epochs 1",
        "the name pics/\\xff\\xfe is not utf-8 text",
        {"pics": pictures(extra={"\udcff\udcfe/1.png": _pictures_file})},
    ),
    case(
        "train-stream-file-name-not-utf8",
        "train pics --epochs 1 --data-in stream",
        "pics/dog/bad\\xff\\xfename.png is not utf-8 text",
        {"pics": pictures(extra={"dog/bad\udcff\udcfename.png": _pictures_file})},
    ),
    case(
        "predict-picture-too-many-pixels",
        "predict {image} big.png",
        "image big.png claims 5000x4000 pixels (20 megapixels)",
        {"big.png": _twenty_megapixels},
    ),
    case("train-folder-without-classes", "train pics", "has no class subfolders", {"pics": DIR}),
    case(
        "train-one-class-folder",
        "train pics",
        "only one class",
        {"pics/cat": lambda p, m: _pictures(p, 6)},
    ),
    case(
        "train-junk-picture",
        "train pics --strict",  # without --strict, unreadable pictures are skipped with a count
        "is not a picture neuroflow can read",
        {"pics": pictures(extra={"cat/bad.png": JUNK})},
    ),
    case(
        "train-empty-picture",
        "train pics --strict",  # without --strict, unreadable pictures are skipped with a count
        "empty file (0 bytes)",
        {"pics": pictures(extra={"dog/0.png": b""})},
    ),
    case(
        "train-empty-class-folder",
        "train pics",
        "holds no pictures",
        {"pics": pictures(extra={"bird": DIR})},
    ),
    case(
        "predict-csv-to-image-model",
        "predict {image} rows.csv",
        "is not a picture",
        {"rows.csv": ROWS},
    ),
    case(
        "predict-empty-picture-folder", "predict {image} pics", "holds no pictures", {"pics": DIR}
    ),
    case("predict-missing-picture", "predict {image} nowhere.png", "does not exist"),
    case("explain-missing-picture", "explain {image} nowhere.png", "does not exist"),
    case("explain-unknown-method", "explain {image} p.png --method astrology", "unknown method"),
    case(
        "explain-method-without-input", "explain {iris} --method gradcam", "applies to the inputs"
    ),
    case(
        "convolve-junk-picture",
        "convolve photo.png --kernel sharpen --out out.png",
        "is not a picture",
        {"photo.png": JUNK},
    ),
    case(
        "convolve-text-as-picture",
        "convolve photo.png --kernel sharpen --out out.png",
        "is not a picture",
        {"photo.png": "hello\n"},
    ),
    case(
        "convolve-empty-picture",
        "convolve photo.png --kernel sharpen --out out.png",
        "empty file",
        {"photo.png": b""},
    ),
    case(
        "convolve-folder-as-picture",
        "convolve photo --kernel sharpen --out out.png",
        "is a folder",
        {"photo": DIR},
    ),
    case(
        "convolve-missing-picture",
        "convolve photo.png --kernel sharpen --out out.png",
        "does not exist",
    ),
    # IDX files
    case(
        "idx-not-idx",
        "train mnist --data-dir idx",
        "is not an idx file",
        {"idx": idx("train-images-idx3-ubyte", JUNK)},
    ),
    case(
        "idx-empty",
        "train mnist --data-dir idx",
        "is not an idx file",
        {"idx": idx("train-images-idx3-ubyte", b"")},
    ),
    case(
        "idx-wrong-type",
        "train mnist --data-dir idx",
        "not unsigned bytes",
        {"idx": idx("train-labels-idx1-ubyte", b"\0\0\x09\x01" + bytes(30))},
    ),
    case(
        "idx-truncated",
        "train mnist --data-dir idx",
        "is truncated",
        {"idx": idx("train-images-idx3-ubyte", idx_bytes(np.zeros((20, 28, 28), np.uint8))[:500])},
    ),
    case(
        "idx-damaged-gzip",
        "train mnist --data-dir idx",
        "damaged or truncated gzip",
        {"idx": idx("train-images-idx3-ubyte", gzip.compress(JUNK * 8)[:60])},
    ),
    case(
        "idx-count-mismatch",
        "train mnist --data-dir idx",
        "holds 20 images but",
        {"idx": idx("train-labels-idx1-ubyte", idx_bytes(np.zeros(19, np.uint8)))},
    ),
    case(
        "idx-label-out-of-range",
        "train mnist --data-dir idx",
        "has label 12",
        {"idx": idx("train-labels-idx1-ubyte", idx_bytes(np.full(20, 12, np.uint8)))},
    ),
    case(
        "idx-wrong-size",
        "train mnist --data-dir idx",
        "not 28x28",
        {"idx": idx("train-images-idx3-ubyte", idx_bytes(np.zeros((20, 10, 10), np.uint8)))},
    ),
    case(
        "idx-file-missing",
        "train mnist --data-dir idx",
        "has only some of the mnist files",
        {"idx": idx("t10k-labels-idx1-ubyte")},
    ),
    case(
        "idx-too-few", "train mnist --data-dir idx", "holds only 20 training images", {"idx": idx()}
    ),
    case(
        "idx-none-there",
        "inspect mnist --data-dir idx",
        "cannot find the mnist idx files",
        {"idx": DIR},
    ),
    # specs
    case("spec-missing", "train iris --model nowhere.yaml", "spec file nowhere.yaml not found"),
    case("spec-unknown-recipe", "train iris --model nosuch", "unknown recipe 'nosuch'"),
    case(
        "spec-yaml-syntax",
        "train iris --model s.yaml",
        "cannot read spec",
        {"s.yaml": "layers: [Dense(10\n  - : :"},
    ),
    case(
        "spec-json-syntax",
        "train iris --model s.json",
        "cannot read spec",
        {"s.json": '{"layers": ['},
    ),
    case(
        "spec-binary",
        "train iris --model s.yaml",
        "cannot read spec",
        {"s.yaml": b"\xff\xfe\x00junk"},
    ),
    case("spec-empty", "train iris --model s.yaml", "non-empty list of layers", {"s.yaml": ""}),
    case(
        "spec-list-of-numbers",
        "train iris --model s.yaml",
        "is not a layer",
        {"s.yaml": "[1, 2, 3]\n"},
    ),
    case(
        "spec-unknown-key",
        "train iris --model s.yaml",
        "unknown spec key(s): foo",
        {"s.yaml": spec("Dense(10)") + "foo: 1\n"},
    ),
    case(
        "spec-units-text",
        "train iris --model s.yaml",
        "units='ten' is not valid",
        {"s.yaml": spec('Dense(units="ten")')},
    ),
    case(
        "spec-units-negative",
        "train iris --model s.yaml",
        "units=-5 is not valid",
        {"s.yaml": spec("Dense(-5)")},
    ),
    case(
        "spec-unknown-layer",
        "train iris --model s.yaml",
        "unknown layer 'dense2'",
        {"s.yaml": spec("Dense2(10)")},
    ),
    case(
        "spec-code-as-layer",
        "train iris --model s.yaml",
        "unknown layer '__import__'",
        {"s.yaml": spec('__import__("os")')},
    ),
    case(
        "spec-unknown-activation",
        "train iris --model s.yaml",
        "unknown activation 'nosuch'",
        {"s.yaml": spec('Dense(10, activation="nosuch")')},
    ),
    case(
        "spec-dropout-rate",
        "train iris --model s.yaml",
        "rate=1.5 is not valid",
        {"s.yaml": spec("Dropout(1.5)")},
    ),
    case(
        "spec-conv-on-table",
        "train iris --model s.yaml",
        "needs image inputs",
        {"s.yaml": spec("Conv2D(4, 3)")},
    ),
    case(
        "spec-unknown-loss",
        "train iris --model s.yaml",
        "unknown loss 'hinge'",
        {"s.yaml": spec("Dense(10)") + "loss: hinge\n"},
    ),
    case(
        "spec-loss-for-other-task",
        "train iris --model s.yaml",
        "is for regression",
        {"s.yaml": spec("Dense(10)") + "loss: mse\n"},
    ),
    case(
        "spec-optimizer-number",
        "train iris --model s.yaml",
        "'optimizer' should be a word",
        {"s.yaml": spec("Dense(10)") + "optimizer: 5\n"},
    ),
    case(
        "spec-betas-out-of-range",
        "train iris --model s.yaml",
        "'betas' is [2, 3]",
        {"s.yaml": spec("Dense(10)") + "betas: [2, 3]\n"},
    ),
    case(
        "spec-weight-decay-negative",
        "train iris --model s.yaml",
        "'weight_decay' is -1",
        {"s.yaml": spec("Dense(10)") + "weight_decay: -1\n"},
    ),
    case(
        "spec-label-smoothing",
        "train iris --model s.yaml",
        "'label_smoothing' is 5",
        {"s.yaml": spec("Dense(10)") + "label_smoothing: 5\n"},
    ),
    case(
        "spec-batch-size-zero",
        "train iris --model s.yaml",
        "batch size must be a whole number",
        {"s.yaml": spec("Dense(10)") + "batch_size: 0\n"},
    ),
    case(
        "spec-lr-text",
        "train iris --model s.yaml",
        "learning rate fast is out of range",
        {"s.yaml": spec("Dense(10)") + "lr: fast\n"},
    ),
    case(
        "spec-wrong-output-size",
        "train iris --model s.yaml",
        "the data needs 3 classes",
        {"s.yaml": spec("Dense(10)", tail=False)},
    ),
    # model folders, bundles, exported files
    case(
        "model-missing", "predict nowhere rows.csv", "model nowhere not found", {"rows.csv": ROWS}
    ),
    case(
        "model-is-a-file",
        "info model.json",
        "is not a model folder or bundle",
        {"model.json": "{}"},
    ),
    case("model-without-config", "evaluate model", "has no config.json", {"model": DIR}),
    case(
        "config-not-json",
        "info model",
        "is not valid json",
        {"model": model_copy(lambda p: (p / "config.json").write_text("{not json"))},
    ),
    case(
        "config-not-utf8",
        "info model",
        "is not valid json",
        {"model": model_copy(lambda p: (p / "config.json").write_bytes(JUNK))},
    ),
    case(
        "config-a-list",
        "info model",
        "is not a neuroflow model config",
        {"model": config(lambda c: [1, 2, 3])},
    ),
    case(
        "config-without-spec",
        "predict model rows.csv",
        "has no 'spec' field",
        {"model": config(lambda c: c.pop("spec") and None), "rows.csv": ROWS},
    ),
    case(
        "config-without-task",
        "info model",
        "has no 'task' field",
        {"model": config(lambda c: c.pop("task") and None)},
    ),
    case(
        "config-without-input",
        "evaluate model",
        "has no 'input' field",
        {"model": config(lambda c: c.pop("input") and None)},
    ),
    case(
        "config-task-number",
        "evaluate model",
        "field 'task' should be",
        {"model": config(lambda c: c.update(task=5))},
    ),
    case(
        "config-kind-unknown",
        "info model",
        "field 'kind' should be",
        {"model": config(lambda c: c.update(kind="audio"))},
    ),
    case(
        "config-class-names-number",
        "info model",
        "field 'class_names' should be",
        {"model": config(lambda c: c.update(class_names=3))},
    ),
    case(
        "config-shape-text",
        "predict model rows.csv",
        "field 'input.shape' should be",
        {"model": config(lambda c: c["input"].update(shape="4")), "rows.csv": ROWS},
    ),
    case(
        "config-preprocessing-text",
        "info model",
        "field 'preprocessing' should be",
        {"model": config(lambda c: c.update(preprocessing="std"))},
    ),
    case(
        "config-column-without-mean",
        "predict model rows.csv",
        "preprocessing.columns",
        {
            "model": config(lambda c: c["preprocessing"]["columns"][0].pop("mean") and None),
            "rows.csv": ROWS,
        },
    ),
    case(
        "config-features-vs-shape",
        "predict model rows.csv",
        "makes 4 features but input.shape says 5",
        {"model": config(lambda c: c["input"].update(shape=[5])), "rows.csv": ROWS},
    ),
    case(
        "bundle-weights-do-not-fit",
        "bundle model --out m.zip",
        "have shape (10, 4) but the spec needs (20, 4)",
        {"model": config(lambda c: c["spec"]["layers"][0].update(units=20))},
    ),
    case(
        "config-weights-text",
        "bundle model --out m.zip",
        "field 'weights' should be",
        {"model": config(lambda c: c.update(weights="model.safetensors"))},
    ),
    case(
        "config-ood-text",
        "export model --out m.onnx",
        "field 'ood' should be",
        {"model": config(lambda c: c.update(ood="yes"))},
    ),
    case(
        "config-calibration-text",
        "predict model rows.csv",
        "field 'calibration' should be",
        {"model": config(lambda c: c.update(calibration="hot")), "rows.csv": ROWS},
    ),
    case(
        "config-summary-number",
        "info model",
        "field 'summary' should be",
        {"model": config(lambda c: c.update(summary=5))},
    ),
    case(
        "config-version-text",
        "info model",
        "field 'format_version' should be a whole number",
        {"model": config(lambda c: c.update(format_version="1"))},
    ),
    case(
        "config-version-newer",
        "info model",
        "newer than this neuroflow reads",
        {"model": config(lambda c: c.update(format_version=99))},
    ),
    case(
        "config-classes-vs-spec",
        "predict model rows.csv",
        "cannot be built",
        {"model": config(lambda c: c.update(class_names=["a", "b"])), "rows.csv": ROWS},
    ),
    case(
        "weights-missing",
        "evaluate model",
        "has no model.safetensors",
        {"model": model_copy(lambda p: (p / "model.safetensors").unlink())},
    ),
    case(
        "weights-empty",
        "evaluate model",
        "is truncated",
        {"model": model_copy(lambda p: (p / "model.safetensors").write_bytes(b""))},
    ),
    case(
        "weights-pickle",
        "evaluate model",
        "it is a pickle",
        {"model": model_copy(lambda p: (p / "model.safetensors").write_bytes(b"\x80\x04\x95junk"))},
    ),
    case(
        "weights-changed",
        "evaluate model",
        "do not match their recorded sha256",
        {"model": model_copy(lambda p: _flip_last_byte(p / "model.safetensors"))},
    ),
    case(
        "history-not-json",
        "predict model rows.csv",
        "history.json is not valid json",
        {"model": model_copy(lambda p: (p / "history.json").write_text("{oops")), "rows.csv": ROWS},
    ),
    case(
        "detector-missing",
        "predict model rows.csv",
        "has no detector.safetensors",
        {"model": model_copy(lambda p: (p / "detector.safetensors").unlink()), "rows.csv": ROWS},
    ),
    case(
        "model-pickle-file",
        "predict model.pt rows.csv",
        "refusing model.pt",
        {"model.pt": b"\x80\x04junk", "rows.csv": ROWS},
    ),
    case(
        "bundle-junk-zip", "info model.zip", "is not a model folder or bundle", {"model.zip": JUNK}
    ),
    case(
        "bundle-without-config",
        "info model.zip",
        "holds no config.json",
        {"model.zip": zip_bytes({"hello.txt": "hi"})},
    ),
    case(
        "bundle-path-escape",
        "predict model.zip rows.csv",
        "outside the folder",
        {"model.zip": zip_bytes({"../config.json": "{}"}), "rows.csv": ROWS},
    ),
    case(
        "onnx-junk",
        "predict model.onnx rows.csv",
        "is not a readable onnx file",
        {"model.onnx": JUNK, "rows.csv": ROWS},
    ),
    case("onnx-missing", "info model.onnx", "model model.onnx not found"),
    case("finetune-image-model-on-table", "train iris --from {image}", "needs image inputs"),
    case("evaluate-other-classes", "evaluate {image} iris", "classes differ"),
    # flags and numbers out of range
    case("epochs-zero", "train iris --epochs 0", "--epochs must be at least 1"),
    case("epochs-negative", "train iris --epochs -3", "--epochs must be at least 1"),
    case("epochs-huge", "train iris --epochs 100000000", "from 1 to 100,000"),
    case("epochs-not-a-number", "train iris --epochs abc", "invalid value for '--epochs'"),
    case(
        "batch-size-zero", "train iris --batch-size 0", "batch size must be a whole number from 1"
    ),
    case(
        "batch-size-negative",
        "train iris --batch-size -1",
        "batch size must be a whole number from 1",
    ),
    case("lr-zero", "train iris --lr 0", "learning rate 0.0 is out of range"),
    case("lr-nan", "train iris --lr nan", "learning rate nan is out of range"),
    case("lr-inf", "train iris --lr inf", "learning rate inf is out of range"),
    case("lr-negative", "train iris --lr -1", "learning rate -1.0 is out of range"),
    case("seed-negative", "train iris --seed -1", "--seed -1 is out of range"),
    case(
        "seed-huge",
        "augment preview digits --augment invert --seed 99999999999",
        "--seed 99999999999 is out of range",
    ),
    case("early-stopping-zero", "train iris --early-stopping 0", "early-stopping patience must be"),
    case(
        "outlier-exposure-negative",
        "train digits --outlier-exposure -1",
        "outlier exposure -1.0 is out of range",
    ),
    case("outlier-exposure-nan", "train digits --outlier-exposure nan", "is out of range"),
    case(
        "outlier-exposure-on-a-table",
        "train iris --outlier-exposure 0.5",
        "outlier exposure teaches an image classifier",
    ),
    case("optimizer-unknown", "train iris --optimizer foo", "unknown optimizer 'foo'"),
    case("task-unknown", "train iris --task foo", "unknown task 'foo'"),
    case(
        "task-unknown-csv",
        "tune data.csv --target b --task foo --trials 1",
        "unknown task 'foo'",
        {"data.csv": TINY},
    ),
    case("task-regression-on-iris", "train iris --task regression", "iris is classification data"),
    case("target-on-iris", "train iris --target petal_width", "iris predicts 'species'"),
    case("target-on-pictures", "train {pictures} --target cat", "--target is for csv tables"),
    case("on-nan-unknown", "train iris --on-nan foo", "--on-nan 'foo' is not understood"),
    case(
        "freeze-unknown",
        "train iris --from {iris} --freeze bogus",
        "--freeze 'bogus' is not understood",
    ),
    case(
        "freeze-without-from",
        "train iris --freeze features",
        "--freeze applies only when fine-tuning",
    ),
    case(
        "new-head-without-from", "train iris --new-head", "--new-head applies only when fine-tuning"
    ),
    case("augment-unknown", "train {pictures} --augment bogus", "unknown augmentation 'bogus'"),
    case(
        "augment-out-of-range",
        "train {pictures} --augment rotate=500",
        "rotate=500 is out of range",
    ),
    case(
        "augment-nan",
        "augment preview {pictures} --augment rotate=nan",
        "rotate=nan is out of range",
    ),
    case("augment-on-table", "train iris --augment invert", "invert works on images"),
    case("augment-empty", "train iris --augment ''", "an empty augmentation name"),
    case(
        "augment-empty-part",
        "train {pictures} --augment invert,,rotate=15",
        "an empty augmentation name",
    ),
    case(
        "augment-preview-empty",
        "augment preview {pictures} --augment ''",
        "an empty augmentation name",
    ),
    case(
        "convolve-out-is-the-input",
        "convolve p.png --kernel sharpen --out ./p.png",
        "--out p.png is the picture being filtered",
    ),
    case("image-size-zero", "train {pictures} --image-size 0", "--image-size '0' is out of range"),
    case(
        "image-size-text", "train {pictures} --image-size abc", "--image-size 'abc' is not a size"
    ),
    case(
        "image-size-huge",
        "train {pictures} --image-size 5000",
        "--image-size '5000' is out of range",
    ),
    case("unknown-option", "train iris --bogus", "no such option: --bogus"),
    case("unknown-command", "nosuchcommand", "no such command 'nosuchcommand'"),
    case("missing-argument", "evaluate", "missing argument 'model'"),
    case(
        "predict-format-unknown",
        "predict {iris} rows.csv --format xml",
        "--format 'xml' is not known",
        {"rows.csv": ROWS},
    ),
    case(
        "predict-two-csvs",
        "predict {iris} rows.csv rows.csv",
        "takes one csv file of rows",
        {"rows.csv": ROWS},
    ),
    case(
        "export-format-unknown",
        "export {iris} --format tflite --out m.onnx",
        "--format 'tflite' is not known",
    ),
    case(
        "resume-without-checkpoint",
        "train --resume run",
        "has no checkpoint to resume from",
        {"run": DIR},
    ),
    case(
        "resume-damaged-state",
        "train --resume run",
        "checkpoint in run is damaged",
        {"run/checkpoint/state.json": "{oops"},
    ),
    case(
        "resume-damaged-tensors", "train --resume run", "checkpoint in run is damaged", CHECKPOINT
    ),
    case(
        "resume-negative-epoch",
        "train --resume run",
        "it says epoch -5 of a run of 3 epochs",
        {
            **CHECKPOINT,
            "run/checkpoint/state.json": CHECKPOINT["run/checkpoint/state.json"].replace(
                '"epoch": 1', '"epoch": -5'
            ),
        },
    ),
    case(
        "resume-epoch-past-the-end",
        "train --resume run",
        "it says epoch 99 of a run of 3 epochs",
        {
            **CHECKPOINT,
            "run/checkpoint/state.json": CHECKPOINT["run/checkpoint/state.json"].replace(
                '"epoch": 1', '"epoch": 99'
            ),
        },
    ),
    case(
        "resume-with-new-epochs",
        "train --resume run --epochs 100",
        "--epochs was 3 there, not 100",
        CHECKPOINT,
    ),
    case(
        "resume-with-other-data",
        "train digits --resume run",
        "DATA was 'iris' there, not 'digits'",
        CHECKPOINT,
    ),
    case(
        "resume-not-from-cli",
        "train --resume run",
        "did not start",
        {
            "run/checkpoint/state.json": json.dumps(
                {**CHECKPOINT_FORMAT, "epoch": 1, "history": [], "run": None}
            )
        },
    ),
    case(
        "resume-other-version",
        "train --resume run",
        "cannot continue it step for step",
        {
            **CHECKPOINT,
            "run/checkpoint/state.json": CHECKPOINT["run/checkpoint/state.json"].replace(
                CHECKPOINT_FORMAT["neuroflow"], "0.0.1"
            ),
        },
    ),
    case(
        "tune-trials-zero", "tune iris --trials 0", "--trials must be a whole number of at least 1"
    ),
    case("tune-trials-missing", "tune iris", "tune needs --trials"),
    case(
        "tune-timeout-negative",
        "tune iris --trials 1 --timeout -5",
        "--timeout must be a positive number",
    ),
    case(
        "tune-timeout-nan",
        "tune iris --trials 1 --timeout nan",
        "--timeout must be a positive number",
    ),
    case(
        "tune-metric-unknown",
        "tune iris --trials 1 --metric foo",
        "--metric foo does not fit classification",
    ),
    case("tune-pruner-unknown", "tune iris --trials 1 --pruner foo", "unknown pruner 'foo'"),
    case(
        "tune-space-missing",
        "tune iris --trials 1 --space nowhere.yaml",
        "space file nowhere.yaml not found",
    ),
    case(
        "tune-space-list",
        "tune iris --trials 1 --space s.yaml",
        "a space is a mapping",
        {"s.yaml": "[1, 2, 3]\n"},
    ),
    case(
        "tune-space-binary",
        "tune iris --trials 1 --space s.yaml",
        "cannot read space file",
        {"s.yaml": JUNK},
    ),
    case(
        "tune-storage-not-a-database",
        "tune iris --trials 1 --storage junk.db --out t",
        "file is not a database",
        {"junk.db": JUNK},
    ),
    case(
        "tune-storage-driver-missing",
        "tune iris --trials 1 --storage postgresql://u:secret@localhost:1/db --out t",
        "postgresql://u:***@localhost:1/db",
    ),
    case(
        "tune-storage-password-with-at",
        "tune iris --trials 1 --storage postgresql://user:p@ss@127.0.0.1:1/db --out t",
        "postgresql://user:***@127.0.0.1:1/db: the password holds an '@' that is not escaped",
    ),
    case(
        "tune-space-unknown-parameter",
        "tune iris --trials 1 --space s.yaml",
        "unknown parameter 'foo'",
        {"s.yaml": "foo: [1, 2]\n"},
    ),
    case(
        "tune-space-out-of-range",
        "tune iris --trials 1 --space s.yaml",
        "epochs is 0, out of range",
        {"s.yaml": "epochs: 0\n"},
    ),
    case(
        "tune-storage-unknown-url",
        "tune iris --trials 1 --storage foo://bar --out t",
        "is not a database url",
    ),
    case(
        "convolve-kernel-unknown",
        "convolve p.png --kernel nosuch --out o.png",
        "unknown kernel 'nosuch'",
    ),
    case(
        "convolve-kernel-unclosed", "convolve p.png --kernel [[1,2],[3 --out o.png", "unclosed '['"
    ),
    case(
        "convolve-kernel-ragged",
        "convolve p.png --kernel [[1,2],[3]] --out o.png",
        "the kernel is ragged",
    ),
    case(
        "convolve-kernel-nan",
        "convolve p.png --kernel [[nan,1],[1,1]] --out o.png",
        "'nan', which is not a number",
    ),
    case(
        "convolve-kernel-overflow",
        "convolve p.png --kernel [[1e400]] --out o.png",
        "'1e400', which is too large",
    ),
    case(
        "convolve-kernel-file-broken",
        "convolve p.png --kernel k.json --out o.png",
        "is not valid json",
        {"k.json": "[[1,2],[3"},
    ),
    case(
        "convolve-kernel-too-large",
        "convolve p.png --kernel k.csv --out o.png",
        "the kernel is 1x102, larger than 101x101",
        {"k.csv": ",".join(["1"] * 102) + "\n"},
    ),
    case(
        "convolve-size-zero",
        "convolve p.png --kernel gaussian-blur --size 0 --out o.png",
        "--size 0 is out of range",
    ),
    case(
        "convolve-size-huge",
        "convolve p.png --kernel box-blur --size 100000 --out o.png",
        "--size 100000 is out of range",
    ),
    case(
        "convolve-size-for-sharpen",
        "convolve p.png --kernel sharpen --size 5 --out o.png",
        "do not apply to sharpen",
    ),
    case(
        "convolve-sigma-zero",
        "convolve p.png --kernel gaussian-blur --sigma 0 --out o.png",
        "--sigma 0.0 must be a positive number",
    ),
    case(
        "convolve-sigma-nan",
        "convolve p.png --kernel gaussian-blur --sigma nan --out o.png",
        "--sigma nan must be a positive number",
    ),
    case(
        "convolve-mode-unknown",
        "convolve p.png --kernel sharpen --mode foo --out o.png",
        "unknown edge mode 'foo'",
    ),
    case(
        "convolve-cval-nan",
        "convolve p.png --kernel sharpen --mode constant --cval nan --out o.png",
        "--cval nan is not a finite number",
    ),
    case(
        "convolve-cval-without-constant",
        "convolve p.png --kernel sharpen --cval 3 --out o.png",
        "--cval only applies to --mode constant",
    ),
    case(
        "convolve-explain-outside",
        "convolve p.png --kernel sharpen --explain 100,100",
        "is outside the 8x8 image",
    ),
    case(
        "convolve-explain-text", "convolve p.png --kernel sharpen --explain a,b", "is not a pixel"
    ),
    case("convolve-nothing-to-do", "convolve p.png --kernel sharpen", "nothing to do"),
    case(
        "convolve-same-out-and-compare",
        "convolve p.png --kernel sharpen --out o.png --compare o.png",
        "name the same file",
    ),
    case(
        "augment-preview-n-zero",
        "augment preview {pictures} --augment invert --n 0",
        "--n 0 is out of range",
    ),
    case(
        "augment-preview-versions",
        "augment preview {pictures} --augment invert --versions 100",
        "--versions 100 is out of range",
    ),
    case("augment-preview-table", "augment preview iris --augment invert", "iris is a table"),
    case("neuron-count-mismatch", "neuron --inputs 0 1 --weights 1", "2 inputs but 1 weights"),
    case("neuron-not-a-number", "neuron --inputs a b --weights 1 2", "'a', which is not a number"),
    case("neuron-nan", "neuron --inputs nan --weights 1", "must be finite numbers"),
    case("neuron-overflow", "neuron --inputs 1e308 1e308 --weights 1 1", "too large to compute"),
    case(
        "neuron-activation-unknown",
        "neuron --inputs 1 --weights 1 --activation foo",
        "unknown activation 'foo'",
    ),
    case(
        "download-unknown-dataset",
        "data download cifar10 --data-dir d",
        "is not an idx dataset neuroflow knows",
        {"d": DIR},
    ),
    case("doctor-unknown-option", "doctor --bogus", "no such option: --bogus"),
    case("models-extra-argument", "models extra", "unexpected extra argument"),
    case("models-unknown-option", "models --format xml", "no such option: --format"),
    case(
        "doctor-data-dir-is-a-file",
        "doctor --data-dir d.txt",
        "data folder d.txt is a file",
        {"d.txt": "x"},
        code=1,
    ),
    case("filters-table-model", "filters {iris} --out f", "has no learned kernels to show"),
    case("filters-missing-model", "filters nowhere --out f", "model nowhere not found"),
    case(
        "filters-junk-picture",
        "filters {image} photo.png --out f",
        "is not a picture neuroflow can read",
        {"photo.png": JUNK},
    ),
    case(
        "filters-picture-is-a-folder",
        "filters {image} photo --out f",
        "is a folder",
        {"photo": DIR},
    ),
    case(
        "filters-damaged-model",
        "filters model --out f",
        "has no 'spec' field",
        {"model": config(lambda c: c.pop("spec") and None)},
    ),
    case("filters-out-is-a-file", "filters {image} --out f", "--out f is a file", {"f": "keep me"}),
    # outputs: an existing file, a missing parent, a parent that is a file, the wrong kind of file
    case(
        "train-out-is-a-file",
        "train iris --out m.txt",
        "m.txt is a file, not a folder",
        {"m.txt": "keep me"},
    ),
    case(
        "train-out-under-a-file",
        "train iris --out m.txt/model",
        "m.txt is a file, not a folder",
        {"m.txt": "keep me"},
    ),
    case(
        "train-out-foreign-folder",
        "train iris --out docs",
        "exists and is not a neuroflow model folder",
        {"docs/notes.txt": "mine"},
    ),
    case(
        "evaluate-out-is-a-file",
        "evaluate {iris} --out figs",
        "figs is a file, not a folder",
        {"figs": "keep me"},
    ),
    case("tune-out-is-a-file", "tune iris --trials 1 --out t", "t is a file", {"t": "keep me"}),
    case(
        "tune-out-under-a-file",
        "tune iris --trials 1 --out t/run",
        "t is a file, not a folder",
        {"t": "keep me"},
    ),
    case(
        "tune-out-foreign-folder",
        "tune iris --trials 1 --out t",
        "holds no tuning results",
        {"t/notes.txt": "mine"},
    ),
    case(
        "download-data-dir-is-a-file",
        "data download mnist --data-dir d",
        "d is a file, not a folder",
        {"d": "keep me"},
    ),
    case(
        "convolve-out-is-a-folder",
        "convolve p.png --kernel sharpen --out o",
        "--out o is a folder",
        {"o": DIR},
    ),
    case(
        "convolve-out-under-a-file",
        "convolve p.png --kernel sharpen --out f/o.png",
        "is a file, not a folder",
        {"f": "x"},
    ),
    case(
        "convolve-out-parent-missing",
        "convolve p.png --kernel sharpen --out nodir/o.png",
        "does not exist",
    ),
    case(
        "convolve-out-wrong-type",
        "convolve p.png --kernel sharpen --out o.xyz",
        "has no picture extension",
    ),
    case("export-out-parent-missing", "export {iris} --out nodir/m.onnx", "does not exist"),
    case(
        "export-out-under-a-file",
        "export {iris} --out f/m.onnx",
        "is a file, not a folder",
        {"f": "x"},
    ),
    case("export-out-wrong-type", "export {iris} --out m.txt", "should end in .onnx"),
    case("bundle-out-parent-missing", "bundle {iris} --out nodir/m.zip", "does not exist"),
    case("bundle-out-wrong-type", "bundle {iris} --out m.txt", "should end in .zip"),
    case(
        "augment-preview-out-parent-missing",
        "augment preview {pictures} --augment invert --out nodir/g.png",
        "does not exist",
    ),
    case(
        "augment-preview-out-wrong-type",
        "augment preview {pictures} --augment invert --out g.txt",
        "is not a .png or .jpg file",
    ),
    case(
        "predict-show-wrong-type",
        "predict {image} p.png --show seen.txt",
        "--show seen.txt is not a .png file name",
    ),
    case(
        "predict-show-existing-file",
        "predict {image} p.png --show notes.json",
        "is not a .png file name",
        {"notes.json": "{}"},
    ),
    case(
        "predict-show-parent-missing",
        "predict {image} p.png --show nodir/seen.png",
        "does not exist",
    ),
    case("serve-missing-model", "serve nowhere", "nowhere does not exist"),
    case(
        "serve-not-a-model",
        "serve notes.txt",
        "is not a model folder, bundle or folder of models",
        {"notes.txt": "keep me"},
    ),
    case("serve-no-models", "serve --workdir empty", "no models found in empty", {"empty": DIR}),
    case(
        "serve-workdir-is-a-file",
        "serve {iris} --workdir w",
        "--workdir w is a file, not a folder",
        {"w": "keep me"},
    ),
    case("serve-port-out-of-range", "serve {iris} --port 70000", "--port 70000 is out of range"),
]


def snapshot(tmp_path: Path, models: dict) -> dict[str, tuple]:
    """Every file and folder under the case's folder (hidden ones too), and the shared models with
    their mtimes."""
    seen = {}
    for root, timed in ((tmp_path, False), (models["iris"].parent, True)):
        for p in sorted(root.rglob("*")):
            st = p.stat()
            seen[str(p)] = (p.is_dir(), st.st_size, st.st_mtime_ns if timed else 0)
    return seen


def assert_one_line(res, code: int, phrase: str) -> None:
    lines = res.err.strip().splitlines()
    assert res.code == code, res.output
    assert len(lines) == 1 and lines[0].startswith("error: "), res.err
    assert phrase.lower() in lines[0].lower(), lines[0]
    assert "Traceback" not in res.output and "internal error" not in res.err


def prepare(tmp_path: Path, models: dict, files: dict, monkeypatch, args: str) -> None:
    first = args.split()[0] if isinstance(args, str) else args[0]
    if first != "nosuchcommand" and first not in {
        n.split()[0] for n in commands()
    }:  # a command still being written
        pytest.skip(f"no '{first}' command in this build")
    monkeypatch.chdir(
        tmp_path
    )  # so default outputs (models/..., augment_preview.png) land where they are watched
    _write(tmp_path / "p.png", _pictures_file, models)
    for name, content in files.items():
        _write(tmp_path / name, content, models)


def command(args: str | list[str], models: dict) -> list[str]:
    import shlex

    return [
        a.format(**{k: str(v) for k, v in models.items()})
        for a in (shlex.split(args) if isinstance(args, str) else args)
    ]


@pytest.mark.parametrize(("args", "phrase", "files", "code"), CASES)
def test_bad_input_gets_one_line_and_leaves_nothing(
    args, phrase, files, code, cli, models, tmp_path, monkeypatch
):
    prepare(tmp_path, models, files, monkeypatch, args)
    before = snapshot(tmp_path, models)
    res = cli(*command(args, models))
    assert_one_line(res, code, phrase)
    assert snapshot(tmp_path, models) == before


def _deny(monkeypatch, target: Path) -> None:
    """Reading `target` fails as it would for a file the user may not read (tests run as root, so
    chmod cannot)."""
    real = builtins.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file).resolve() == target.resolve():
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)


UNREADABLE = [
    case("unreadable-csv", "train data.csv --target b", "data.csv", {"data.csv": TINY}),
    case("unreadable-spec", "train iris --model s.yaml", "s.yaml", {"s.yaml": spec("Dense(10)")}),
    case("unreadable-picture", "convolve p.png --kernel sharpen --out o.png", "p.png"),
    case("unreadable-config", "info model", "config.json", {"model": config(lambda c: None)}),
    case(
        "unreadable-kernel-file",
        "convolve p.png --kernel k.csv --out o.png",
        "k.csv",
        {"k.csv": "1,2\n3,4\n"},
    ),
    case("unreadable-rows", "predict {iris} rows.csv", "rows.csv", {"rows.csv": ROWS}),
    case("unreadable-picture-to-predict", "predict {image} p.png", "p.png"),
    case("unreadable-picture-in-folder", "train pics", "3.png", {"pics": pictures()}),
    case("unreadable-idx", "train mnist --data-dir idx", "t10k-images-idx3-ubyte", {"idx": idx()}),
    case(
        "unreadable-weights",
        "evaluate model",
        "model.safetensors",
        {"model": config(lambda c: None)},
    ),
]


@pytest.mark.parametrize(("args", "target", "files", "code"), UNREADABLE)
def test_unreadable_input_is_one_line(
    args, target, files, code, cli, models, tmp_path, monkeypatch
):
    prepare(tmp_path, models, files, monkeypatch, args)
    denied = next(tmp_path.rglob(target))
    before = snapshot(tmp_path, models)
    _deny(monkeypatch, denied)
    res = cli(*command(args, models))
    assert_one_line(res, code, "permission denied")
    assert denied.name in res.err and snapshot(tmp_path, models) == before


READ_ONLY = [
    case("read-only-convolve", "convolve p.png --kernel sharpen --out out/o.png", "out/o.png"),
    case("read-only-compare", "convolve p.png --kernel sharpen --compare out/c.png", "out/c.png"),
    case("read-only-export", "export {iris} --out out/m.onnx", "out/m.onnx"),
    case("read-only-bundle", "bundle {iris} --out out/m.zip", "out/m.zip"),
    case(
        "read-only-augment-preview",
        "augment preview {pictures} --augment invert --out out/g.png",
        "out/g.png",
    ),
    case("read-only-evaluate", "evaluate {iris} --out out", "out"),
    case("read-only-show", "predict {image} p.png --show out/seen.png", "out/seen.png"),
    case("read-only-train", "train iris --epochs 1 --out out/model", "out/model"),
    # filters replaces its --out whole (like a model folder): what is refused is a folder in out/
    case("read-only-filters", "filters {image} p.png --out out/filters", "out/filters"),
]


@pytest.mark.parametrize(("args", "target", "files", "code"), READ_ONLY)
def test_read_only_output_folder_is_one_line(
    args, target, files, code, cli, models, tmp_path, monkeypatch
):
    """A folder the user may not write to: creating anything in out/ is refused, as the OS would
    refuse it."""
    prepare(tmp_path, models, {"out": DIR, **files}, monkeypatch, args)
    out = (tmp_path / "out").resolve()
    before = snapshot(tmp_path, models)

    def refuse(real):
        def guarded(*args, dir=None, **kwargs):
            if dir is not None and Path(dir).resolve() == out:
                raise PermissionError(13, "Permission denied", str(dir))
            return real(*args, dir=dir, **kwargs)

        return guarded

    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.resolve().parent == out:
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse(tempfile.mkstemp))
    monkeypatch.setattr(tempfile, "mkdtemp", refuse(tempfile.mkdtemp))
    monkeypatch.setattr(Path, "mkdir", mkdir)
    res = cli(*command(args, models))
    assert_one_line(res, code, "permission denied")
    assert snapshot(tmp_path, models) == before


def test_ctrl_c_prints_one_line(cli, monkeypatch):
    import neuroflow.neuron

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(neuroflow.neuron, "neuron_output", interrupted)
    res = cli("neuron", "--inputs", "1", "--weights", "1")
    assert_one_line(res, 130, "interrupted")


def test_python_dash_m_neuroflow_gives_the_same_one_line(tmp_path):
    from tests.conftest import run_process

    res = run_process("neuron", "--inputs", "1", "2", "--weights", "1")
    assert_one_line(res, 2, "2 inputs but 1 weights")
    assert run_process("--help").code == 0


def commands() -> list[str]:
    """Every command and subcommand of `neuroflow`, e.g. "train", "data download"."""
    import typer

    from neuroflow.cli.main import app

    names = []
    for name, cmd in typer.main.get_command(app).commands.items():
        names += [f"{name} {sub}" for sub in getattr(cmd, "commands", {})] or [name]
    return names


def test_every_command_has_bad_input_cases():
    """A new command gets cases here: each command and subcommand appears in at least two cases."""
    names = commands()
    used = [
        " ".join(p.values[0].split()[:2] if isinstance(p.values[0], str) else p.values[0][:2])
        for p in CASES + UNREADABLE + READ_ONLY
    ]
    thin = [n for n in names if sum(u == n or u.split()[0] == n for u in used) < 2]
    assert not thin, f"commands with fewer than two bad-input cases: {thin}"


def test_control_characters_in_class_names_are_shown_escaped(cli, tmp_path):
    """A class folder named 'a<newline>b' or holding an escape sequence is printed as its escapes
    by predict and info: the terminal never obeys a name."""
    import neuroflow as nf

    names = ("a\nb", "red\x1b[31m")
    for label in names:
        _pictures(tmp_path / "pics" / label, 6)
    nf.train(str(tmp_path / "pics"), epochs=1, progress="quiet", out=tmp_path / "m")
    predicted = cli("predict", tmp_path / "m", tmp_path / "pics" / names[0] / "0.png")
    info = cli("info", tmp_path / "m")
    assert predicted.code == 0 and info.code == 0
    for res in (predicted, info):
        assert "\x1b" not in res.out and "a\nb" not in res.out
    assert "a\\nb" in info.out and "red\\x1b[31m" in info.out
    assert "a\\nb" in predicted.out


def test_a_model_folder_that_cannot_be_replaced_is_kept_as_it_was(models, tmp_path, monkeypatch):
    """Saving over a model folder when the final rename fails (disk full, a lock): the old folder
    stays, whole."""
    import neuroflow as nf

    target = tmp_path / "model"
    shutil.copytree(models["iris"], target)
    before = snapshot(tmp_path, models)
    model = nf.load(models["iris"])
    real_replace = os.replace

    def replace(src, dst):
        if (
            Path(src).name.startswith(".model.")
            and Path(src).name.endswith(".tmp")
            and Path(dst) == target
        ):
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        model.save(target)
    assert snapshot(tmp_path, models) == before
