"""Predictions as the lessons print them: one line per input, then a table of class percentages.

Everything here returns text; the command line prints it."""

from __future__ import annotations

import csv
import io

from neuroflow.errors import printable

UNKNOWN = "unknown — not like the training data"


def _line(r, model, reject: bool) -> str:
    # names come from files and folders: their control characters are shown, not obeyed
    name = printable(r.name)
    if model.task == "regression":
        return f"{name}: {r.label:.4g}" + (f" (expected {r.truth})" if r.truth is not None else "")
    label = printable("unknown" if reject and not r.known else r.label)
    text = (
        f"Prediction is '{label}' ({r.probability:.1%})"
        if model.kind == "table"
        else f"{name}: {label} ({r.probability:.1%})"
    )
    if model.kind == "table":
        text = f"{name}: {text}"
    if r.truth is not None:
        mark = "✓" if r.correct else "✗"
        truth = printable(r.truth)
        text = f"{mark} {text}, expected '{truth}'" if model.kind == "table" else f"{text} {mark}"
    if not r.known:
        text += f"  [{UNKNOWN}; score {r.score:.3g}]"
    return text


def format_predictions(results, model, fmt: str = "table", reject: bool = False) -> str:
    if fmt == "csv":
        return _csv(results, model, reject)
    lines = [_line(r, model, reject) for r in results]
    if model.task == "classification" and model.kind == "image":
        names = [printable(n) for n in model.class_names]
        width = max(len("Image"), *(len(printable(r.name)) for r in results)) + 2
        cw = max(5, *(len(n) + 1 for n in names))
        # each column is cw - 1 wide plus a space, so names sit over their numbers
        lines += [
            "",
            f"{'Image':{width}}"
            + "".join(f"{n:>{cw - 1}} " for n in names)
            + " verdict" * any(r.score is not None for r in results),
        ]
        for r in results:
            row = f"{printable(r.name):{width}}" + "".join(
                f"{r.probabilities[n]:>{cw - 1}.0%} " for n in model.class_names
            )
            if r.score is not None:
                row += f"  {'known' if r.known else UNKNOWN}"
            lines.append(row.rstrip())
    return "\n".join(lines)


def _csv(results, model, reject: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = model.class_names or []
    writer.writerow(
        ["input", "prediction", "probability", "truth", "unknown_score", "verdict", *names]
    )
    for r in results:
        label = "unknown" if reject and not r.known else r.label
        verdict = "" if r.score is None else ("known" if r.known else "unknown")
        probs = [f"{r.probabilities[n]:.6f}" for n in names] if r.probabilities else []
        writer.writerow(
            [
                r.name,
                label,
                "" if r.probability is None else f"{r.probability:.6f}",
                "" if r.truth is None else r.truth,
                "" if r.score is None else f"{r.score:.6f}",
                verdict,
                *probs,
            ]
        )
    return buf.getvalue().rstrip("\n")


def show_grid(model, inputs, results, path, raw: bool = False) -> None:
    """Write a PNG of each picture as the model saw it, captioned with its top prediction; for a
    digit model, a row of each picture's preparation steps, from the photo to the 28×28 input."""
    from neuroflow.errors import UsageError
    from neuroflow.models.raw_inputs import image_inputs
    from neuroflow.plotting.grids import image_grid_png

    if model.kind != "image":
        raise UsageError(
            "--show draws pictures, but this model takes table rows", "leave out --show"
        )
    captions = [
        f"{r.name}\n{'unknown' if not r.known else r.label} {r.probability:.0%}" for r in results
    ]
    if model.preprocessing.get("prepare") == "digit" and not raw:
        steps, step_captions = _steps(inputs, captions)
        image_grid_png(steps, step_captions, path, "How each picture was prepared", cols=4)
        return
    x, _, _ = image_inputs(model, inputs, raw=raw)
    image_grid_png(x, captions, path, "What the model saw", cols=min(8, len(x)))


def _steps(inputs, captions: list[str], side: int = 56):
    """Each picture's preparation steps, squared to side × side, one picture a row."""
    import numpy as np
    from PIL import Image

    from neuroflow.data.pictures.digits import preparation_steps
    from neuroflow.data.pictures.images import list_images, open_image

    tiles, names = [], []
    for file, caption in zip(list_images(inputs), captions, strict=True):
        for k, (step, pic) in enumerate(preparation_steps(open_image(file))):
            h, w = pic.shape
            edge = np.r_[pic[0], pic[-1], pic[:, 0], pic[:, -1]]
            square = np.full((max(h, w), max(h, w)), np.median(edge), np.uint8)
            square[(len(square) - h) // 2 :][:h, (len(square) - w) // 2 :][:, :w] = pic
            resample = Image.NEAREST if len(square) < side else Image.LANCZOS
            tiles.append(np.asarray(Image.fromarray(square).resize((side, side), resample)))
            names.append(caption if k == 3 else (f"{file.name}\n{step}" if k == 0 else step))
    return np.stack(tiles)[..., None], names
