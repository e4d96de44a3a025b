"""The exported page in headless Chromium (Playwright), served by `python -m http.server` on
127.0.0.1: it answers as neuroflow does (prepared input within 1/255 per pixel, probabilities
within 1e-4, the same verdict) for drawn digits, MNIST digits as PNG files, photos for a model
trained from a pretrained network and table rows, and asks nothing of any other host."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import neuroflow as nf
from neuroflow.export.web import export_web
from tests.conftest import SHARED_MNIST
from tests.web.conftest import free_port

pytestmark = pytest.mark.slow

# Each digit as pen strokes in a unit box (x right, y down), drawn on the pad with the mouse.
from neuroflow.data.made_up.synth import STROKES  # noqa: E402


class StaticServer:
    """`python -m http.server` serving one folder on a free port of 127.0.0.1."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        cmd = [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1"]
        self.proc = subprocess.Popen(
            [*cmd, "--directory", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import httpx

        for _ in range(200):
            try:
                if httpx.get(self.url + "model.json", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError("python -m http.server did not answer")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """A small MNIST model (tests/web's), its page, and the page served."""
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the shared MNIST files are not at {SHARED_MNIST}")
    from benchmarks.serve_load import small_digit_model

    root = tmp_path_factory.mktemp("web-page")
    folder = small_digit_model(str(SHARED_MNIST), root / "digits")
    server = StaticServer(export_web(folder, root / "page"))
    yield nf.load(folder), server
    server.stop()


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A table model with a category column and blanks in training (so blanks have indicators)."""
    root = tmp_path_factory.mktemp("web-table")
    rng = np.random.default_rng(0)
    lines = ["colour,size,weight,kind"]
    for i in range(150):
        colour = ["red", "green", "blue"][i % 3]
        size = "" if i % 11 == 0 else f"{rng.normal(5 + (i % 3), 1):.2f}"
        weight = "" if i % 13 == 0 else f"{rng.normal(50, 10):.1f}"
        lines.append(f"{colour},{size},{weight},{['a', 'b', 'c'][i % 3]}")
    (root / "rows.csv").write_text("\n".join(lines) + "\n")
    model = nf.train(
        str(root / "rows.csv"), target="kind", epochs=8, progress="quiet", out=root / "model"
    )
    server = StaticServer(export_web(root / "model", root / "page"))
    yield model, server
    server.stop()


@pytest.fixture(scope="module")
def prices(tmp_path_factory):
    """A regression table model: a category column, blanks in training, a price to predict."""
    root = tmp_path_factory.mktemp("web-prices")
    rng = np.random.default_rng(1)
    lines = ["district,rooms,age,price"]
    for i in range(120):
        district = ["north", "harbour", "old town"][i % 3]
        rooms = rng.integers(1, 6)
        age = "" if i % 7 == 0 else f"{rng.uniform(0, 80):.0f}"
        price = 90 + 35 * rooms + 40 * (i % 3) - 0.5 * float(age or 40) + rng.normal(0, 10)
        lines.append(f"{district},{'' if i % 9 == 0 else rooms},{age},{price:.1f}")
    (root / "prices.csv").write_text("\n".join(lines) + "\n")
    nf.train(
        str(root / "prices.csv"), target="price", epochs=2, progress="quiet", out=root / "model"
    )
    server = StaticServer(export_web(root / "model", root / "page"))
    yield root / "model", server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.asked = []  # every URL the page requests
    page.on("request", lambda request: page.asked.append(request.url))
    yield page
    context.close()


def _open(page, server) -> None:
    page.goto(server.url)
    # ready well within a generous bound (the page loads 15 MiB of runtime, then the model)
    page.wait_for_selector("body[data-ready=yes]", timeout=15_000)


def _answer(page, n: int) -> dict:
    page.wait_for_function(f"document.body.dataset.answers === '{n}'", timeout=15_000)
    return page.evaluate("self.neuroflowAnswer")


def _assert_same(answer: dict, expected_input: np.ndarray, result, model, scale=1.0) -> None:
    """The page's answer against neuroflow's for the same picture or row; `scale`: the largest
    logit's size, when over 1 (float32 sums differ in their last digits between ONNX Runtime Web
    and torch, so a score made from large logits differs in proportion)."""
    got = np.asarray(answer["input"], np.float64)
    assert np.abs(got - expected_input.ravel()).max() <= (1 if model.kind == "image" else 1e-5)
    probabilities = [result.probabilities[name] for name in model.class_names]
    assert np.abs(np.asarray(answer["probabilities"]) - probabilities).max() < 1e-4
    assert answer["label"] == result.label
    assert answer["known"] == result.known
    if result.score is None:  # a model without an unknown-input check
        assert answer["score"] is None
    else:
        assert answer["score"] == pytest.approx(result.score, rel=1e-4, abs=1e-4 * scale)


def _draw(page, strokes) -> dict:
    """Draw strokes (points as fractions of the pad) with the mouse, point to point, and return
    the answer to the finished drawing."""
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        for k, (x, y) in enumerate(stroke):
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
            if k == 0:
                page.mouse.down()
        page.mouse.up()
    done = "(d => d.asked && d.answered === d.asked)(document.body.dataset)"
    page.wait_for_function(done, timeout=15_000)
    return page.evaluate("self.neuroflowAnswer")


def _neuroflow(model, files: list[Path]):
    """neuroflow's prepared inputs and predictions for picture files, each prepared once."""
    from neuroflow.inference.predict import predict_arrays
    from neuroflow.models.raw_inputs import image_inputs

    x, names, _ = image_inputs(model, files)
    return x, predict_arrays(model, x, names)


def _pad_png(page, path: Path) -> Path:
    url = page.evaluate("document.getElementById('pad').toDataURL('image/png')")
    path.write_bytes(base64.b64decode(url.split(",", 1)[1]))
    return path


def test_the_page_is_ready_answers_a_drawing_and_asks_no_other_host(digits, page, tmp_path):
    model, server = digits
    _open(page, server)
    assert page.locator("#status").text_content().startswith("ready")
    answer = _draw(page, [[(0.3 + 0.4 * x, 0.15 + 0.7 * y) for x, y in s] for s in STROKES[7]])
    png = _pad_png(page, tmp_path / "seven.png")
    x, results = _neuroflow(model, [png])
    _assert_same(answer, x[0], results[0], model)
    assert page.locator("#seen-box").is_visible()
    assert len(page.locator("#bars .bar").all()) == 10
    hosts = {url.split("/")[2] for url in page.asked if url.startswith("http")}
    assert hosts == {f"127.0.0.1:{server.port}"}
    assert not [url for url in page.asked if not url.startswith(server.url)]


def test_all_ten_drawn_digits_are_prepared_and_answered_as_neuroflow_does(digits, page, tmp_path):
    model, server = digits
    _open(page, server)
    answers, pngs = [], []
    for digit, strokes in STROKES.items():
        page.click("#clear")
        answers.append(
            _draw(page, [[(0.2 + 0.6 * x, 0.12 + 0.76 * y) for x, y in s] for s in strokes])
        )
        pngs.append(_pad_png(page, tmp_path / f"{digit}.png"))
        seen = page.evaluate(
            "Array.from(document.getElementById('seen').getContext('2d')"
            ".getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))"
        )
        assert np.array_equal(seen, np.asarray(answers[-1]["input"]))  # the 28×28 it saw, shown
    x, results = _neuroflow(model, pngs)
    for answer, prepared, result in zip(answers, x, results, strict=True):
        _assert_same(answer, prepared, result, model)


def test_mnist_test_digits_as_png_files_match_neuroflow(digits, page, tmp_path):
    model, server = digits
    raw = gzip.decompress((SHARED_MNIST / "t10k-images-idx3-ubyte.gz").read_bytes())
    pictures = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:200]
    files = []
    for i, picture in enumerate(pictures):
        files.append(tmp_path / f"{i:03d}.png")
        Image.fromarray(picture).save(files[-1])
    x, results = _neuroflow(model, files)
    _open(page, server)
    for i, (path, prepared, result) in enumerate(zip(files, x, results, strict=True)):
        page.set_input_files("#file", str(path))
        _assert_same(_answer(page, i + 1), prepared, result, model)


def test_digits_in_a_frame_on_ruled_paper_or_a_plaque_are_found_as_neuroflow_finds_them(
    digits, page, tmp_path
):
    from tests.data.pictures.test_digit_finding import _framed, _plaque, _ruled, _shadowed
    from tests.images import drawn_four

    model, server = digits
    surroundings = [_framed, _ruled, lambda img: _ruled(img, squared=True), _plaque, _shadowed]
    files = []
    for i, surround in enumerate(surroundings):
        files.append(tmp_path / f"photo{i}.png")
        surround(drawn_four()).save(files[-1])
    x, results = _neuroflow(model, files)
    _open(page, server)
    for i, (path, prepared, result) in enumerate(zip(files, x, results, strict=True)):
        page.set_input_files("#file", str(path))
        _assert_same(_answer(page, i + 1), prepared, result, model)


def test_pictures_of_other_sizes_are_resized_within_a_grey_level_of_neuroflow(page, tmp_path):
    from tests.bars import TINY_CNN, bars_dataset

    model = nf.train(bars_dataset(60), model=TINY_CNN, epochs=1, progress="quiet", post_fit=False)
    assert model.preprocessing.get("prepare", "resize") == "resize"
    server = StaticServer(export_web(model, tmp_path / "page"))
    rng = np.random.default_rng(0)
    files = []
    for i, (w, h) in enumerate([(28, 28), (56, 40), (280, 280), (20, 30), (300, 200)]):
        noise = (rng.random((h // 4 + 1, w // 4 + 1, 3)) * 255).astype(np.uint8)
        files.append(tmp_path / f"{i}.png")
        Image.fromarray(noise).resize((w, h)).save(files[-1])  # colour: converted to grey
    x, _ = _neuroflow(model, files)
    try:
        _open(page, server)
        for i, (path, prepared) in enumerate(zip(files, x, strict=True)):
            page.set_input_files("#file", str(path))
            answer = _answer(page, i + 1)
            seen = np.asarray(answer["input"], np.uint8).reshape(1, *prepared.shape)
            # Pillow runs its vertical pass first for some sizes, which the page does not
            # follow: a pixel may then be one grey level off
            assert np.abs(seen.astype(int) - prepared[None]).max() <= 1
            expected = model.probabilities(seen)[0]  # the page runs the network as neuroflow
            assert np.abs(np.asarray(answer["probabilities"]) - expected).max() < 1e-4
    finally:
        server.stop()


def test_photos_for_a_pretrained_network_are_cropped_and_answered_as_neuroflow_does(page, tmp_path):
    from tests.images import PHOTO_SIZES, photo, photos_folder
    from tests.models.test_pretrained import measured_weight_file

    file = measured_weight_file(tmp_path)
    model = nf.train(
        photos_folder(tmp_path / "photos"), base="mobilenet_v3_small", weights=file, epochs=1,
        image_size=32, progress="quiet", out=tmp_path / "model",
    )  # fmt: skip
    assert model.preprocessing["prepare"] == "crop"
    server = StaticServer(export_web(tmp_path / "model", tmp_path / "page"))
    # new photos of every size and shape, the large one reduced by Pillow before it resamples
    rng = np.random.default_rng(1)
    files = []
    for i, size in enumerate([*PHOTO_SIZES, (600, 900), (31, 33)]):
        files.append(tmp_path / f"{i}.png")
        photo("warm" if i % 2 else "cool", size, rng).save(files[-1])
    x, results = _neuroflow(model, files)
    # the network answers each photo its own way (BatchNorm statistics measured, not random), so
    # the probabilities compared below depend on the page's preparation
    assert {r.label for r in results} == {"cool", "warm"}
    try:
        _open(page, server)
        for i, (path, prepared, result) in enumerate(zip(files, x, results, strict=True)):
            page.set_input_files("#file", str(path))
            scale = max(1.0, float(np.abs(model.logits(prepared[None])).max()))
            _assert_same(_answer(page, i + 1), prepared, result, model, scale)
    finally:
        server.stop()


def test_table_rows_with_blanks_and_unseen_categories_match_neuroflow(table, page):
    model, server = table
    rows = [
        {"colour": "red", "size": "5.2", "weight": "48"},
        {"colour": "", "size": "", "weight": ""},  # all blank
        {"colour": "purple", "size": "7.9", "weight": ""},  # a colour training never saw
        {"colour": "blue", "size": "-40", "weight": "300"},  # far from the training rows
    ]
    _open(page, server)
    assert page.locator("#table-panel").is_visible()
    expected = nf.predict(model, [{k: v or None for k, v in row.items()} for row in rows])
    from neuroflow.data.tables.prepare import transform

    for i, (row, result) in enumerate(zip(rows, expected, strict=True)):
        for column, value in row.items():
            page.fill(f"[data-column={column}]", value)
        page.click("#predict-row")
        answer = _answer(page, i + 1)
        x = transform(pd.DataFrame([{k: v or None for k, v in row.items()}]), model.preprocessing)
        _assert_same(answer, x[0], result, model)
    assert {r.known for r in expected} == {True, False}  # both verdicts were compared


def test_a_regression_model_answers_with_neuroflow_predicts_number(prices, page, cli, tmp_path):
    folder, server = prices
    rows = [
        {"district": "harbour", "rooms": "3", "age": "25"},
        {"district": "", "rooms": "", "age": ""},  # all blank
        {"district": "riverside", "rooms": "4", "age": ""},  # a district training never saw
        {"district": "north", "rooms": "60", "age": "-300"},  # far from the training rows
    ]
    csv = tmp_path / "rows.csv"
    csv.write_text("district,rooms,age\n" + "".join(",".join(r.values()) + "\n" for r in rows))
    printed = cli("predict", folder, csv)
    as_json = cli("predict", folder, csv, "--format", "json")
    assert printed.code == as_json.code == 0, printed.output
    lines = printed.out.strip().splitlines()  # "row 1: 172.8", as `neuroflow predict` prints
    expected = [r["prediction"] for r in json.loads(as_json.out)]
    assert len(lines) == len(expected) == len(rows)
    assert all("verdict" not in r for r in json.loads(as_json.out))  # no unknown-input check

    model = nf.load(folder)
    _open(page, server)
    assert page.locator("#table-panel").is_visible()
    from neuroflow.data.tables.prepare import transform

    for i, (row, line, value) in enumerate(zip(rows, lines, expected, strict=True)):
        for column, text in row.items():
            page.fill(f"[data-column={column}]", text)
        page.click("#predict-row")
        answer = _answer(page, i + 1)
        x = transform(pd.DataFrame([{k: v or None for k, v in row.items()}]), model.preprocessing)
        assert np.abs(np.asarray(answer["input"]) - x[0]).max() <= 1e-5
        assert answer["value"] == pytest.approx(value, rel=1e-4)
        assert (answer["known"], answer["score"]) == (True, None)  # as neuroflow: no check
        verdict = page.locator("#verdict").text_content()
        assert verdict == f"price: {line.split(': ', 1)[1]}"  # the number predict printed
        assert "classifiers only" in page.locator("#ood").text_content()
        assert page.locator("#bars .bar").count() == 0
    assert len({round(v, 3) for v in expected}) == len(rows)  # the rows got different numbers


def test_a_picture_the_page_cannot_decode_gets_one_line(digits, page, tmp_path):
    _, server = digits
    _open(page, server)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 10)
    page.set_input_files("#file", str(broken))
    page.wait_for_function("document.getElementById('error').textContent !== ''")
    error = page.locator("#error").text_content()
    assert error.startswith("cannot read broken.png") and "\n" not in error
    assert page.locator("#verdict").text_content() == "—"


def test_opened_as_a_file_chromium_refuses_webassembly_and_the_page_says_so(digits, page):
    _, server = digits
    folder = Path(server.proc.args[-1])
    page.goto((folder / "index.html").as_uri())
    page.wait_for_function("document.getElementById('status').textContent.includes('file://')")
    assert "python -m http.server" in page.locator("#status").text_content()
