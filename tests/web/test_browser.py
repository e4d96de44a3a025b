"""The page in a real browser: headless Chromium (Debian's package) driven by Playwright, against
`neuroflow serve` running as a process. Skipped only when no Chromium is found and CI is not set."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def draw(page, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw on the pad stroke by stroke with the mouse; points are fractions of the pad's size."""
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
            for t in np.linspace(0, 1, 8)[1:]:
                page.mouse.move(
                    box["x"] + (x0 + t * (x1 - x0)) * box["width"],
                    box["y"] + (y0 + t * (y1 - y0)) * box["height"],
                )
        page.mouse.up()


def test_a_drawn_digit_is_read_and_shown_as_the_network_saw_it(
    browser, serve, digit_model, page, tmp_path
):
    served = serve(digit_model)
    page.goto(served.url)
    expect(page.locator("#image-panel")).to_be_visible()
    draw(
        page, [[(0.25, 0.22), (0.75, 0.22)], [(0.75, 0.22), (0.42, 0.85)]]
    )  # a 7: the bar, then the stem
    expect(page.locator("#verdict")).to_have_text("7", timeout=20_000)
    expect(page.locator("#bars .bar")).to_have_count(10)
    expect(page.locator("#bars .bar.top .name")).to_have_text("7")
    expect(page.locator("#maps canvas")).to_have_count(8)
    assert page.locator("#seen").evaluate("c => [c.width, c.height]") == [28, 28]
    assert "unknown-input score" in page.locator("#ood").inner_text()
    expect(page.locator("#figures img[alt='confusion_matrix.png']")).to_be_visible()
    expect(page.locator("#figures img[alt='loss_curve.png']")).to_be_visible()
    page.wait_for_function(
        "[...document.querySelectorAll('#figures img')].every(i => i.complete && i.naturalWidth)"
    )
    page.screenshot(path=tmp_path / "drawn-seven.png", full_page=True)
    page.locator("#about").screenshot(path=tmp_path / "about.png")
    if os.environ.get("NEUROFLOW_SCREENSHOT_DIR"):  # the README's pictures of the page
        folder = Path(os.environ["NEUROFLOW_SCREENSHOT_DIR"])
        page.locator("#card").evaluate("card => card.parentElement.open = false")
        page.screenshot(path=folder / "serve.png", full_page=True)
        page.locator("#about").screenshot(path=folder / "serve-about.png")
    figures_are_readable_and_open_full_size(page, tmp_path / "full-size.png")


def figures_are_readable_and_open_full_size(page, shot: Path) -> None:
    """Each figure is drawn at its own size, or as wide as the panel when it is wider (never a
    thumbnail); a click shows it at full size (saved in `shot`), and Escape closes it."""
    sizes = page.locator("#figures img").evaluate_all(
        "imgs => imgs.map(i => [i.alt, i.clientWidth, i.naturalWidth,"
        " document.getElementById('figures').clientWidth])"
    )
    assert len(sizes) >= 3, sizes
    for name, shown, natural, room in sizes:
        assert shown >= min(natural, room) - 2, (name, shown, natural, room)
    page.locator("#figures img[alt='loss_curve.png']").click()
    viewer = page.locator("#viewer")
    expect(viewer).to_be_visible()
    expect(viewer).to_contain_text("loss curve")
    page.wait_for_function("document.getElementById('viewer-img').complete")
    shown, natural = page.locator("#viewer-img").evaluate("i => [i.clientWidth, i.naturalWidth]")
    assert shown == natural > 1000
    page.screenshot(path=shot)
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()


def test_a_picture_that_is_no_digit_is_unknown(browser, serve, digit_model, page, tmp_path):
    noise = tmp_path / "noise.png"
    Image.fromarray((np.random.default_rng(0).random((200, 300, 3)) * 255).astype(np.uint8)).save(
        noise
    )
    served = serve(digit_model)
    page.goto(served.url)
    page.locator("#file").set_input_files(noise)
    expect(page.locator("#verdict")).to_contain_text("unknown", timeout=20_000)
    page.screenshot(path=tmp_path / "unknown.png", full_page=True)


def test_a_table_form_gives_a_prediction_on_a_phone_sized_screen(
    browser, serve, iris_model, tmp_path
):
    served = serve(iris_model)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(served.url)
    expect(page.locator("#table-panel")).to_be_visible()
    for name, value in {
        "sepal_length": "6.1",
        "sepal_width": "2.8",
        "petal_length": "4.7",
        "petal_width": "1.2",
    }.items():
        page.locator(f"[data-column={name}]").fill(value)
    page.locator("#predict-row").click()
    expect(page.locator("#verdict")).to_have_text("versicolor", timeout=20_000)
    expect(page.locator("#bars .bar")).to_have_count(3)
    assert (
        page.evaluate("document.documentElement.scrollWidth") <= 390
    )  # nothing wider than the phone
    page.screenshot(path=tmp_path / "table-phone.png", full_page=True)
    context.close()


def test_training_shows_a_growing_curve_and_the_new_model(
    browser, serve, iris_model, page, tmp_path
):
    served = serve(iris_model)
    page.goto(served.url)
    expect(page.locator("#dataset option")).not_to_have_count(0)
    page.evaluate("""() => { window.points = [];
        const curve = document.getElementById('curve');
        new MutationObserver(() => window.points.push(Number(curve.dataset.points)))
          .observe(curve, { attributes: true, attributeFilter: ['data-points'] }); }""")
    page.locator("#dataset").select_option("iris")
    page.locator("#recipe").select_option("iris-mlp")
    page.locator("#epochs").fill("6")
    page.locator("#train-start").click()
    expect(page.locator("#train-status")).to_contain_text("done", timeout=120_000)
    assert page.evaluate("window.points") == [1, 2, 3, 4, 5, 6]
    expect(page.locator("#model option")).to_have_count(2)
    assert "iris-mlp" in page.locator("#model").inner_text()
    page.screenshot(path=tmp_path / "trained.png", full_page=True)
    assert (served.workdir / "iris-mlp" / "config.json").is_file()


def test_the_why_panel_shows_a_heatmap_and_switches_method_in_one_click(
    browser, serve, digit_model, page, tmp_path
):
    served = serve(digit_model)
    page.goto(served.url)
    draw(page, [[(0.25, 0.22), (0.75, 0.22)], [(0.75, 0.22), (0.42, 0.85)]])
    expect(page.locator("#verdict")).to_have_text("7", timeout=20_000)
    expect(page.locator("#why-note")).to_contain_text("by integrated-gradients", timeout=60_000)
    assert page.locator("#why").evaluate("c => [c.width, c.height]") == [28, 28]
    before = page.locator("#why").evaluate("c => c.toDataURL()")
    page.locator("#why-methods [data-method=gradcam]").click()
    expect(page.locator("#why-note")).to_contain_text("'7' by gradcam", timeout=20_000)
    expect(page.locator("#why-methods .chosen")).to_have_text("Grad-CAM")
    assert page.locator("#why").evaluate("c => c.toDataURL()") != before
    page.screenshot(path=tmp_path / "why-seven.png", full_page=True)


def test_the_why_panel_shows_a_rows_top_columns(browser, serve, iris_model, page, tmp_path):
    served = serve(iris_model)
    page.goto(served.url)
    for name, value in {"sepal_length": "6.1", "sepal_width": "2.8", "petal_length": "4.7",
                        "petal_width": "1.2"}.items():  # fmt: skip
        page.locator(f"[data-column={name}]").fill(value)
    page.locator("#predict-row").click()
    expect(page.locator("#why-note")).to_contain_text("'versicolor' by integrated-gradients",
                                                      timeout=60_000)  # fmt: skip
    expect(page.locator("#why-columns .bar")).to_have_count(4)
    expect(page.locator("#why")).to_be_hidden()
    expect(page.locator("#why-methods [data-method=gradcam]")).to_be_hidden()
    page.locator("#why-methods [data-method=saliency]").click()
    expect(page.locator("#why-note")).to_contain_text("by saliency", timeout=20_000)
    names = page.locator("#why-columns .bar .name").all_inner_texts()
    assert sorted(names) == ["petal_length", "petal_width", "sepal_length", "sepal_width"]
    page.screenshot(path=tmp_path / "why-row.png", full_page=True)


def test_all_ten_digits_drawn_stroke_by_stroke_are_read_and_accepted(
    browser, serve, digit_model, page
):
    from tests.strokes import DIGIT_STROKES

    served = serve(digit_model)
    page.goto(served.url)
    expect(page.locator("#image-panel")).to_be_visible()
    for digit, strokes in DIGIT_STROKES.items():
        page.locator("#clear").click()
        expect(page.locator("#verdict")).to_have_text("—")
        draw(page, strokes)  # the page asks after every stroke; the last answer stays
        expect(page.locator("#verdict")).to_have_text(str(digit), timeout=20_000)
        expect(page.locator("#ood")).to_contain_text(": known")


LATE_FIRST_ANSWER = """() => {
  // The first picture's answer arrives 3 s late, whatever happened meanwhile; later ones at once.
  window.late = null; window.shown = [];
  const fetch0 = window.fetch; let first = true;
  window.fetch = async (url, options) => {
    const response = await fetch0(url, { ...options, signal: undefined });
    if (!String(url).includes("/predict/image") || !first) return response;
    first = false;
    window.late = await response.clone().json();
    await new Promise((done) => setTimeout(done, 3000));
    return response;
  };
  const verdict = document.getElementById("verdict");
  new MutationObserver(() => window.shown.push(verdict.textContent))
    .observe(verdict, { childList: true, characterData: true, subtree: true });
}"""


def test_an_answer_to_an_earlier_stroke_never_replaces_the_later_one(
    browser, serve, digit_model, page
):
    from tests.strokes import DIGIT_STROKES

    served = serve(digit_model)
    page.goto(served.url)
    expect(page.locator("#image-panel")).to_be_visible()
    page.evaluate(LATE_FIRST_ANSWER)
    bar, stem = DIGIT_STROKES[7]
    draw(page, [bar])  # asked about the bar alone: its answer is held back
    page.wait_for_function("window.late !== null")
    assert page.evaluate("window.late.prediction.prediction") != "7"  # the stale answer differs
    draw(page, [stem])
    expect(page.locator("#verdict")).to_have_text("7", timeout=20_000)
    page.wait_for_timeout(3500)  # the bar's answer has arrived by now, and was dropped
    expect(page.locator("#verdict")).to_have_text("7")
    assert (
        page.evaluate("window.shown").count("7") >= 1 and page.evaluate("window.shown")[-1] == "7"
    )


def test_a_late_answer_does_not_come_back_after_the_pad_is_cleared(
    browser, serve, digit_model, page
):
    from tests.strokes import DIGIT_STROKES

    served = serve(digit_model)
    page.goto(served.url)
    expect(page.locator("#image-panel")).to_be_visible()
    page.evaluate(LATE_FIRST_ANSWER)
    draw(page, DIGIT_STROKES[4])
    page.wait_for_function("window.late !== null")
    page.locator("#clear").click()
    page.wait_for_timeout(3500)  # the 4's answer has arrived by now
    expect(page.locator("#verdict")).to_have_text("—")
