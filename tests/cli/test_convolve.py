"""`neuroflow convolve`: pictures in and out, the lesson's worked example, and one-line errors."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from neuroflow import kernels as nk

LESSON = np.array(
    [
        [105, 102, 100, 97, 96],
        [103, 99, 103, 101, 102],
        [101, 98, 104, 102, 100],
        [99, 101, 106, 104, 99],
        [104, 104, 104, 100, 98],
    ],
    dtype=np.uint8,
)


@pytest.fixture
def lesson_png(tmp_path):
    path = tmp_path / "lesson.png"
    Image.fromarray(LESSON).save(path)
    return path


@pytest.fixture
def photo(tmp_path):
    """A small colour 'photo': smooth gradients plus a bright square, so filters have edges to
    find."""
    y, x = np.mgrid[0:48, 0:64]
    rgb = np.stack([x * 4, y * 5, 128 + 0 * x], axis=-1).astype(np.uint8)
    rgb[16:32, 20:40] = 250
    path = tmp_path / "photo.jpg.png"
    Image.fromarray(rgb).save(path)
    return path


def png_header_only(path, width, height):
    """A PNG whose header claims width x height but holds no pixels: a decompression-bomb
    stand-in."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    return path


def test_sharpen_a_colour_photo(cli, photo, tmp_path):
    out = tmp_path / "sharp.png"
    res = cli("convolve", photo, "--kernel", "sharpen", "--out", out)
    assert res.code == 0, res.err
    assert (
        f"Wrote {out} (filtered picture, 64x48, sharpen, mode reflect, clipped to 0..255)"
        in res.out
    )
    got = np.asarray(Image.open(out))
    source = np.asarray(Image.open(photo)).astype(float)
    want = np.clip(np.rint(nk.convolve(source, "sharpen")), 0, 255)
    assert got.shape == (48, 64, 3) and np.array_equal(got, want)
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".")
    ] == []  # no temp files left


def test_explain_prints_the_lessons_arithmetic(cli, lesson_png):
    res = cli("convolve", lesson_png, "--kernel", "sharpen", "--explain", "1,1")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0] == "Pixel x=1, y=1 (value 99), kernel sharpen, cross-correlation, mode reflect"
    assert lines[2:5] == [
        "   105  102  100     0 -1  0",
        "   103 [99]  103    -1  5 -1",
        "   101   98  104     0 -1  0",
    ]
    assert lines[5:9] == [
        "Products, pixel x weight:",
        "  105 x 0 = 0         102 x (-1) = -102   100 x 0 = 0",
        "  103 x (-1) = -103   99 x 5 = 495        103 x (-1) = -103",
        "  101 x 0 = 0         98 x (-1) = -98     104 x 0 = 0",
    ]
    assert lines[9] == "Sum: 0 - 102 + 0 - 103 + 495 - 103 + 0 - 98 + 0 = 89"
    assert lines[10] == "Result after clipping to 0..255: 89 (89 is already inside)"


def test_explain_at_the_edge_shows_the_mode_and_the_clipping(cli, lesson_png):
    res = cli(
        "convolve",
        lesson_png,
        "-k",
        "[[0,-1,0],[-1,5,-1],[0,-1,0]]",
        "--explain",
        "0,0",
        "--mode",
        "constant",
        "--cval",
        "255",
    )
    assert res.code == 0, res.err
    assert "Sum: 0 - 255 + 0 - 255 + 525 - 102 + 0 - 103 + 0 = -190" in res.out
    assert (
        "* past the edge of the image, filled in by mode constant: k k k | a b c d | k k k"
        in res.out
    )
    assert "Result after clipping to 0..255: 0 (-190 is below 0)" in res.out


def test_grid_prints_numbers_before_and_after(cli, lesson_png):
    res = cli("convolve", lesson_png, "--kernel", "sharpen", "--grid")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0] == "Before:"
    assert lines[3] == "y=1  103  99 103 101 102"
    after = lines.index("After (sharpen, mode reflect):")
    assert lines[after + 3] == "y=1  107  89 111 101 111"


def test_valid_mode_shrinks_the_picture_and_the_grid_shows_the_gap(cli, lesson_png, tmp_path):
    out = tmp_path / "valid.png"
    res = cli("convolve", lesson_png, "-k", "sharpen", "--mode", "crop", "--out", out, "--grid")
    assert res.code == 0, res.err
    assert Image.open(out).size == (3, 3)
    assert "y=1    .  89 111 101   ." in res.out


def test_compare_puts_before_and_after_side_by_side(cli, photo, tmp_path):
    compare = tmp_path / "before_after.png"
    res = cli("convolve", photo, "-k", "gaussian-blur", "--compare", compare)
    assert res.code == 0, res.err
    img = np.asarray(Image.open(compare).convert("RGB"))
    assert img.shape == (12 * 2 + 30 + 48, 12 * 3 + 64 * 2, 3)
    before = img[42:90, 12:76]
    assert np.array_equal(before, np.asarray(Image.open(photo)))
    after = img[42:90, 88:152].astype(float)
    blurred = np.rint(nk.convolve(np.asarray(Image.open(photo)).astype(float), "gaussian-blur"))
    assert np.array_equal(after, blurred)


def test_edges_with_abs_gray_and_rescale(cli, photo, tmp_path):
    out = tmp_path / "edges.png"
    res = cli("convolve", photo, "-k", "sobel-x", "--gray", "--abs", "--out", out)
    assert res.code == 0, res.err
    edges = np.asarray(Image.open(out))
    assert edges.ndim == 2
    assert edges[24, 19] > 200 and edges[24, 40] > 200  # both sides of the bright square show
    res = cli("convolve", photo, "-k", "laplacian", "--rescale", "--out", out)
    assert res.code == 0, res.err
    stretched = np.asarray(Image.open(out))
    assert stretched.min() == 0 and stretched.max() == 255
    assert "rescaled" in res.out


def test_clipping_note_suggests_abs_or_rescale(cli, photo, tmp_path):
    noise = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 20), dtype=np.uint8)).save(noise)
    res = cli("convolve", noise, "-k", "sobel-x", "--out", tmp_path / "e.png")
    assert res.code == 0
    assert (
        "of the results were outside 0..255 and were clipped; --abs or --rescale shows them"
        in res.out
    )
    res = cli(
        "convolve", photo, "-k", "box-blur", "--out", tmp_path / "e.png"
    )  # nothing clipped, no note
    assert res.code == 0 and "Note" not in res.out


def test_transparency_is_kept(cli, tmp_path):
    rgba = np.zeros((8, 9, 4), np.uint8)
    rgba[..., :3] = 100
    rgba[..., 3] = np.arange(9) * 20
    src, out = tmp_path / "a.png", tmp_path / "b.png"
    Image.fromarray(rgba).save(src)
    assert cli("convolve", src, "-k", "box-blur", "--out", out).code == 0
    got = np.asarray(Image.open(out))
    assert (
        got.shape == (8, 9, 4)
        and np.array_equal(got[..., 3], rgba[..., 3])
        and (got[..., :3] == 100).all()
    )


def test_kernel_from_csv_and_gaussian_size_and_sigma(cli, lesson_png, tmp_path):
    kernel = tmp_path / "mine.csv"
    kernel.write_text("0,-1,0\n-1,5,-1\n0,-1,0\n")
    res = cli("convolve", lesson_png, "-k", kernel, "--explain", "1,1")
    assert res.code == 0 and "= 89" in res.out
    res = cli(
        "convolve",
        lesson_png,
        "-k",
        "gaussian-blur",
        "--sigma",
        "0.5",
        "--size",
        "3",
        "--explain",
        "2,2",
        "--json",
    )
    assert res.code == 0, res.err
    weights = np.array(json.loads(res.out)["explain"][0]["weights"][0])
    assert (
        weights.shape == (3, 3)
        and np.isclose(weights.sum(), 1)
        and np.isclose(weights[1, 2] / weights[1, 1], np.exp(-2))
    )


def test_flip_is_true_convolution(cli, lesson_png):
    res = cli("convolve", lesson_png, "-k", "sobel-x", "--flip", "--explain", "2,2", "--json")
    assert res.code == 0, res.err
    explained = json.loads(res.out)["explain"][0]
    assert explained["weights"][0] == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    assert explained["raw"] == -nk.convolve(LESSON, "sobel-x")[2, 2]


def test_list_needs_no_image(cli):
    res = cli("convolve", "--list")
    assert res.code == 0, res.err
    assert "sharpen: the lesson's kernel" in res.out
    assert "     0 -1  0\n    -1  5 -1\n     0 -1  0" in res.out
    assert "1/16 x 1 2 1" in res.out
    names = [k["name"] for k in json.loads(cli("convolve", "--list", "--json").out)]
    assert names == list(nk.KERNELS.names())


def test_help_explains_correlation_convolution_and_the_edge_modes(cli):
    res = cli("convolve", "--help")
    assert res.code == 0
    assert "Cross-correlation (the default)" in res.out and "--flip" in res.out
    assert "reflect   d c b a | a b c d | d c b a" in res.out
    assert "mirror      d c b | a b c d | c b a" in res.out


@pytest.mark.parametrize(
    "args, message",
    [
        (["-k", "[[0,-1],[5]]"], "error: the kernel is ragged: its rows have 2, 1 numbers"),
        (["-k", "[[1,one,0]]"], "error: the kernel has 'one', which is not a number"),
        (["-k", "[[]]"], "error: the kernel is empty or has an empty row"),
        (["-k", ""], "error: the kernel is empty"),
        (
            ["-k", "sharpest"],
            "error: unknown kernel 'sharpest'. Choose one of: identity, sharpen, box-blur, "
            "gaussian-blur, laplacian",
        ),
        (
            ["-k", "box-blur", "--size", "7", "--mode", "valid"],
            "error: the kernel (7x7) is bigger than the image (5x5), so --mode valid leaves "
            "nothing",
        ),
        (["-k", "sharpen", "--mode", "same"], "error: unknown edge mode 'same'"),
        (["-k", "sharpen", "--cval", "3"], "error: --cval only applies to --mode constant"),
        (["-k", "sharpen", "--explain", "1;1"], "error: --explain '1;1' is not a pixel"),
        (["-k", "sharpen", "--explain", "9,1"], "error: pixel x=9, y=1 is outside the 5x5 image"),
        (
            ["-k", "sharpen", "--explain", "0,0", "--mode", "valid"],
            "error: with --mode valid, pixel x=0, y=0 has no result",
        ),
        (["-k", "sharpen"], "error: nothing to do. Add --out FILE"),
        (
            ["-k", "sharpen", "--out", "{tmp}/no/such/folder/x.png"],
            "does not exist. Create it first or write somewhere else",
        ),
        (
            ["-k", "sharpen", "--out", "{tmp}/x.pdq"],
            "error: --out 'x.pdq' has no picture extension",
        ),
        (
            ["-k", "sharpen", "--out", "{tmp}/x.png", "--compare", "{tmp}/x.png"],
            "error: --out and --compare name the same file",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, lesson_png, tmp_path, args, message):
    out = tmp_path / "out.png"
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = cli(
        "convolve",
        lesson_png,
        *args,
        *(
            []
            if "--out" in args or "--explain" in args or args[-1] == "sharpen"
            else ["--out", out]
        ),
    )
    assert res.code == 2
    assert res.err.startswith(message) if message.startswith("error: ") else message in res.err, (
        res.err
    )
    assert res.err.count("\n") == 1 and "Traceback" not in res.err
    assert not out.exists() and not (tmp_path / "x.png").exists()


def test_missing_image_or_kernel(cli):
    res = cli("convolve", "--kernel", "sharpen", "--out", "x.png")
    assert res.code == 2 and res.err.startswith(
        "error: no IMAGE to filter was given. E.g. neuroflow convolve photo.jpg"
    )
    res = cli("convolve", "photo.png")
    assert res.code == 2 and res.err.startswith("error: --kernel is missing")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b""), "is an empty file (0 bytes)"),
        (lambda p: p.write_text("not a picture at all"), "is not a picture neuroflow can read"),
        (lambda p: png_header_only(p, 20000, 20000), "is larger than 100 megapixels"),
        (
            lambda p: png_header_only(p, 11000, 10000),
            "is 11000x10000, 110 megapixels. Choose a picture under 100 megapixels",
        ),
        (lambda p: p.write_bytes(Image.new("L", (1, 1)).tobytes()), "is not a picture"),
        (lambda p: None, "does not exist"),
    ],
)
def test_unreadable_images_are_refused_in_one_line(cli, tmp_path, make, message):
    image = tmp_path / "picture.png"
    make(image)
    res = cli("convolve", image, "-k", "sharpen", "--out", tmp_path / "out.png")
    assert res.code == 2
    assert message in res.err and res.err.startswith("error: ") and res.err.count("\n") == 1
    assert not (tmp_path / "out.png").exists()


def test_truncated_picture_is_refused(cli, tmp_path):
    whole, broken = tmp_path / "noise.png", tmp_path / "broken.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 40), dtype=np.uint8)).save(whole)
    broken.write_bytes(whole.read_bytes()[:800])
    res = cli("convolve", broken, "-k", "sharpen", "--out", tmp_path / "out.png")
    assert res.code == 2 and res.err.startswith(f"error: cannot read image {broken}")


def test_out_may_not_overwrite_the_picture_unless_forced(cli, lesson_png, tmp_path):
    before = lesson_png.read_bytes()
    link = tmp_path / "link.png"
    link.symlink_to(lesson_png)
    for out, flag in ((lesson_png, "--out"), (link, "--out"), (link, "--compare")):
        res = cli("convolve", lesson_png, "-k", "box-blur", flag, out)
        assert res.code == 2 and "is the picture being filtered" in res.err, res.err
        assert "--force" in res.err and res.err.count("\n") == 1
    assert lesson_png.read_bytes() == before
    res = cli("convolve", lesson_png, "-k", "box-blur", "--out", lesson_png, "--force")
    assert res.code == 0, res.err
    assert lesson_png.read_bytes() != before
