"""The web page's preparation of photos against neuroflow's, on the digit finder's pictures.

`python -m benchmarks.web_preparation --mnist-dir ../shared/data/mnist --n 50` trains the page
tests' small MNIST model (benchmarks.serve_load), then for each kind of the finder's pictures
(neuroflow.data.made_up.synth_context, seed 0) and plain generated digits prints how many 28×28
inputs the page's own scripts (web_page/*.js, run by Node.js) makes identical to neuroflow's, the
largest pixel difference, and how many the model gets right, and right and accepted: with
neuroflow's (and the page's) preparation, and with the simpler one the page would have without the
finder (the picture cropped as it is). Needs `node` on the PATH for the page's column.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.digits_in_context import _pictures, without_finding
from benchmarks.own_digits import right_and_accepted

# the page's three preparation scripts, loaded in the page's order, prepare each picture of a list
NODE = """
const dir = process.argv[1];
for (const f of ["image_ops.js", "digit_finding.js", "prepare.js"]) require(`${dir}/${f}`);
const P = globalThis.NeuroflowPrepare;
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(items.map((it) => Array.from(
  P.preparePicture(Buffer.from(it.rgba, "base64"), it.w, it.h, it.prep)))));
"""


def page_inputs(images, preprocessing: dict) -> np.ndarray | None:
    """The page's prepared inputs for Pillow pictures (None without node)."""
    from neuroflow.export.web import PAGE

    node = shutil.which("node")
    if node is None:
        return None
    items = [
        {
            "w": img.width,
            "h": img.height,
            "prep": preprocessing,
            "rgba": base64.b64encode(np.asarray(img.convert("RGBA")).tobytes()).decode(),
        }
        for img in images
    ]
    out = subprocess.run(
        [node, "-e", NODE, str(PAGE)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    shape = (preprocessing["height"], preprocessing["width"], preprocessing["channels"])
    return np.asarray(json.loads(out), np.uint8).reshape(len(images), *shape)


def table(model, n: int) -> list[str]:
    from neuroflow.data.made_up.synth_context import CONTEXTS
    from neuroflow.data.pictures.prepare import prepare_for_model

    lines = [
        "| pictures | page = neuroflow | largest difference | right / accepted "
        "| without the finder: right / accepted |",
        "|---|---|---|---|---|",
    ]
    for kind in (*CONTEXTS, "plain"):
        images, labels = _pictures(kind, n)
        ours = np.stack([prepare_for_model(img, model.preprocessing) for img in images])
        page = page_inputs(images, model.preprocessing)
        if page is None:
            same = largest = "no node"
        else:
            diff = np.abs(ours.astype(int) - page.astype(int)).reshape(n, -1).max(1)
            same, largest = f"{int((diff == 0).sum())}/{n}", str(int(diff.max()))
        right = right_and_accepted(model, images, labels)
        with without_finding():
            simple = right_and_accepted(model, images, labels)
        lines.append(
            f"| {kind} | {same} | {largest} | {right[0]}/{n} / {right[1]} "
            f"| {simple[0]}/{n} / {simple[1]} |"
        )
    return lines


def main() -> None:
    import neuroflow as nf
    from benchmarks.serve_load import small_digit_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mnist-dir", required=True)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = nf.load(small_digit_model(args.mnist_dir, Path(tmp) / "digits"))
        print("\n".join(table(model, args.n)))


if __name__ == "__main__":
    main()
