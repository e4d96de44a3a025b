"""How soon the exported web page is ready, and how soon it answers its first drawing.

`python -m benchmarks.web_ready --data-dir ../shared/data/mnist --runs 5` trains the page tests'
small MNIST model (benchmarks.serve_load), exports it with `neuroflow export --format web`, serves
the folder with `python -m http.server` on 127.0.0.1 and opens it in headless Chromium (Debian's,
driven by Playwright) in a fresh browser context each run, so nothing is cached: it prints the
seconds from opening the page to ready (runtime and model loaded), and from there to the answer to
a drawn 7 (drawing included), each run and their median. The goal is both within 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEVEN = [[(0.25, 0.22), (0.75, 0.22)], [(0.75, 0.22), (0.42, 0.85)]]


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory"]
    proc = subprocess.Popen(
        [*cmd, str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "model.json", timeout=5)
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    raise SystemExit("python -m http.server did not answer")


def draw(page, strokes) -> None:
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        (x, y), rest = stroke[0], stroke[1:]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=8)
        page.mouse.up()


def one_run(browser, url: str) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("body[data-ready=yes]", timeout=30_000)
    ready = time.perf_counter()
    draw(page, SEVEN)
    page.wait_for_function(
        "() => document.getElementById('verdict').textContent.trim() === '7'", timeout=30_000
    )
    answered = time.perf_counter()
    context.close()
    return ready - start, answered - ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="../shared/data/mnist")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from benchmarks.serve_load import small_digit_model
    from neuroflow.export.web import export_web

    with tempfile.TemporaryDirectory() as tmp:
        model = small_digit_model(args.data_dir, Path(tmp) / "model")
        proc, url = serve(export_web(model, Path(tmp) / "page"))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                runs = [one_run(browser, url) for _ in range(args.runs)]
                browser.close()
        finally:
            proc.terminate()
    for i, (ready, answer) in enumerate(runs, 1):
        print(f"run {i}: ready {ready:.2f} s, first drawing answered {answer:.2f} s later")
    print(
        f"median: ready {statistics.median(r for r, _ in runs):.2f} s, first drawing answered "
        f"{statistics.median(a for _, a in runs):.2f} s later (goal: both within 2 s)"
    )


if __name__ == "__main__":
    main()
