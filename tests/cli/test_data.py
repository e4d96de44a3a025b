"""`neuroflow data download` and `neuroflow augment preview` from the command line (never the real
network)."""

from __future__ import annotations

import io
import urllib.error
import urllib.request

from PIL import Image


class Served(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_download_then_train_finds_the_files(cli, tmp_path, mnist_dir, monkeypatch):
    monkeypatch.setattr(
        urllib.request,
        "urlopen",
        lambda url, timeout=None: Served((mnist_dir / url.rsplit("/", 1)[1]).read_bytes()),
    )
    res = cli("data", "download", "mnist", "--data-dir", tmp_path)
    assert res.code == 0, res.err
    assert (
        f"the four IDX files are in {tmp_path / 'mnist'}" in res.out
        and f"neuroflow train mnist --data-dir {tmp_path}" in res.out
    )
    assert len(list((tmp_path / "mnist").glob("*.gz"))) == 4 and "downloading https://" in res.err


def test_offline_download_is_one_line(cli, tmp_path, monkeypatch):
    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    res = cli("data", "download", "fashion-mnist", "--data-dir", tmp_path)
    lines = [line for line in res.err.splitlines() if line.startswith("error:")]
    assert (
        res.code == 2
        and len(lines) == 1
        and "by hand" in lines[0]
        and str(tmp_path / "fashion-mnist") in lines[0]
    )


def test_unknown_dataset_name(cli, tmp_path):
    res = cli("data", "download", "cifar10", "--data-dir", tmp_path)
    assert res.code == 2 and res.err.startswith("error:") and "mnist, fashion-mnist" in res.err


def test_groups_show_their_commands(cli):
    assert "download" in cli("data").out and "preview" in cli("augment", "--help").out


def test_augment_preview_of_digits(cli, tmp_path):
    out = tmp_path / "grid.png"
    res = cli(
        "augment",
        "preview",
        "digits",
        "--augment",
        "invert,rotate=15",
        "--out",
        out,
        "--n",
        5,
        "--versions",
        2,
    )
    assert res.code == 0, res.err
    assert (
        f"wrote {out}: 5 training images of digits (original, inverted, 2 augmented; "
        "invert,rotate=15)" in res.out
    )
    width, height = Image.open(out).size
    assert (width, height) == (4 * (80 + 4) + 4, 16 + 5 * (80 + 4) + 4)  # 8×8 digits shown at 80 px


def test_augment_preview_of_mnist(cli, tmp_path, mnist_dir):
    res = cli(
        "augment",
        "preview",
        "mnist",
        "--data-dir",
        mnist_dir,
        "--augment",
        "noise=0.1",
        "--out",
        tmp_path / "m.png",
    )
    assert res.code == 0, res.err
    assert Image.open(tmp_path / "m.png").size == (5 * 88 + 4, 16 + 8 * 88 + 4)


def test_augment_preview_refuses_bad_input(cli, tmp_path):
    bad = cli("augment", "preview", "digits", "--augment", "sharpen", "--out", tmp_path / "g.png")
    assert bad.code == 2 and "unknown augmentation 'sharpen'" in bad.err and "rotate=X" in bad.err
    assert (
        cli("augment", "preview", "digits", "--augment", "invert", "--out", tmp_path / "g.txt").code
        == 2
    )
    assert "1 to 64" in cli("augment", "preview", "digits", "--augment", "invert", "--n", 0).err
    table = cli("augment", "preview", "iris", "--augment", "invert", "--out", tmp_path / "g.png")
    assert table.code == 2 and "augmentation is for images" in table.err
    missing = cli(
        "augment", "preview", "digits", "--augment", "invert", "--out", tmp_path / "no" / "g.png"
    )
    assert missing.code == 2 and "does not exist" in missing.err
    assert not list(tmp_path.iterdir())
