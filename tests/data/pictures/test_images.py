"""Own pictures: broken and oversized files are refused by name before decoding; any mode opens; a
digit drawn dark on light paper, anywhere on a big canvas, comes out like an MNIST digit."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from neuroflow.data.pictures.images import (
    list_images,
    open_image,
    resize_batch,
)
from neuroflow.data.pictures.prepare import prepare_for_model
from neuroflow.errors import DataError
from tests.images import check_mnist_like, drawn_four

DIGIT = {"height": 28, "width": 28, "channels": 1, "prepare": "digit"}


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height grey pixels (valid CRCs, almost no data)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "mode", ["L", "RGB", "RGBA", "P", "I;16", "I", "F", "CMYK", "LA", "1", "YCbCr", "HSV"]
)
def test_every_mode_opens_and_prepares(tmp_path, mode):
    img = drawn_four(size=(300, 200), at=(40, 20), height=150, pen=10)
    if mode == "I;16":
        img = Image.fromarray(np.asarray(img.convert("L"), np.uint16) * 257)
    elif mode == "I":
        img = img.convert("L").convert("I")
    elif mode == "F":
        img = Image.fromarray(np.asarray(img.convert("L"), np.float32) / 255)
    else:
        img = img.convert(mode)
    path = tmp_path / (
        "digit.tif" if mode in ("I;16", "I", "F", "CMYK", "YCbCr", "HSV", "LA") else "digit.png"
    )
    if mode not in ("YCbCr", "HSV", "LA"):
        img.save(path)
        img = open_image(path)
    out = prepare_for_model(img, DIGIT)
    assert out.shape == (28, 28, 1) and out.dtype == np.uint8
    check_mnist_like(out[..., 0])


def test_big_headers_are_refused_before_decoding(tmp_path):
    for size, what in [
        ((30_000, 30_000), "larger than Pillow will decode"),
        ((8_000, 8_000), "claims 8000x8000"),
    ]:
        path = tmp_path / f"huge-{size[0]}.png"
        path.write_bytes(png_claiming(*size))
        with pytest.raises(DataError, match=what) as err:
            open_image(path)
        assert str(path) in str(err.value) and "megapixels" in str(err.value)


def test_broken_files_are_named(tmp_path):
    good = tmp_path / "good.png"
    drawn_four(size=(64, 64), at=(10, 10), height=40, pen=4).save(good)
    cases = {
        "empty.png": (b"", "empty file"),
        "notes.png": (b"this is text, not a picture\n", "not a picture"),
        "cut.png": (good.read_bytes()[: len(good.read_bytes()) // 2], "truncated or damaged"),
        "weird.xyz": (bytes(range(256)) * 4, "not a picture"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(DataError, match=message) as err:
            prepare_for_model(tmp_path / name, DIGIT)
        assert name in str(err.value)
    with pytest.raises(DataError, match="does not exist"):
        open_image(tmp_path / "missing.png")
    with pytest.raises(DataError, match="is a folder"):
        open_image(tmp_path)


def test_list_images_from_files_and_folders(tmp_path):
    for name in ("b.png", "a.jpg", "sub/c.bmp"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        drawn_four(size=(60, 60), at=(10, 10), height=40, pen=4).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a picture")
    (tmp_path / ".hidden.png").write_bytes(b"")
    files = list_images(tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.jpg", "b.png", "sub/c.bmp"]
    assert list_images([tmp_path / "b.png", tmp_path / "sub"]) == [
        tmp_path / "b.png",
        tmp_path / "sub" / "c.bmp",
    ]
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no pictures"):
        list_images(tmp_path / "empty")
    with pytest.raises(DataError, match="does not exist"):
        list_images([tmp_path / "nope.png"])


def test_resize_batch_keeps_brightness():
    x = np.full((3, 28, 28, 1), 200, np.uint8)
    out = resize_batch(x, (14, 10))
    assert out.shape == (3, 14, 10, 1) and out.dtype == np.uint8 and (out == 200).all()
    assert resize_batch(x[..., 0], (8, 8)).shape == (3, 8, 8)
