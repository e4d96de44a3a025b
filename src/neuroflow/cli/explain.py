"""`neuroflow explain`: lesson step 7's "why": which part of each input made the answer, as a
heatmap over each picture or a bar per table column; with no input, a table model's importances."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError

DEFAULT_OUT = "explanations"


@app.command()
def explain(
    model: str = typer.Argument(..., help="A model folder (or bundle .zip)."),
    inputs: list[str] = typer.Argument(
        None,
        help="A CSV of raw rows, or pictures / a folder of pictures (none: a table model's "
        "importances on its test split).",
        show_default=False,
    ),
    method: str = typer.Option(
        None,
        "--method",
        help="integrated-gradients (the default), saliency, gradcam (last convolution) or "
        "occlusion.",
        show_default=False,
    ),
    target: str = typer.Option(None, "--target", help="Class to explain (default: the answer)."),
    out: str = typer.Option(
        None, "--out", help=f"Folder for the PNGs (default: ./{DEFAULT_OUT}; json: none)."
    ),
    fmt: str = typer.Option("text", "--format", help="text or json."),
    data_dir: str = typer.Option(None, "--data-dir", help="Folder holding dataset files."),
    no_preprocess: bool = typer.Option(
        False, "--no-preprocess", help="Feed pictures as they are (only resized), as in predict."
    ),
) -> None:
    """Why each answer: integrated gradients (default), saliency, Grad-CAM or occlusion."""
    from neuroflow.explain.attributions import check_method

    if fmt not in ("text", "json"):
        raise UsageError(f"--format {fmt!r} is not known", "use text or json")
    if not inputs and (method is not None or target is not None):
        raise UsageError(
            f"{'--method' if method is not None else '--target'} applies to the inputs explained",
            "with no input, explain gives a table model's permutation importance; give a CSV of "
            "rows or pictures to explain them",
        )
    method = check_method(method or "integrated-gradients")  # a bad name wastes no loading
    folder = Path(out if out is not None else DEFAULT_OUT) if out or fmt == "text" else None
    if folder is not None:
        from neuroflow.files import check_folder

        check_folder(folder)
    loaded = _load(model)
    if not inputs:
        _importances(loaded, folder, fmt, data_dir)
        return
    if loaded.kind == "table" and len(inputs) != 1:
        raise UsageError(
            "a table model takes one CSV file of rows",
            "put the rows in one CSV with the training columns",
        )
    from neuroflow.api import explain as run

    found = run(loaded, inputs[0] if loaded.kind == "table" else inputs, method, target,
                raw=no_preprocess)  # fmt: skip
    written = []
    if folder is not None:
        from neuroflow.explain.heatmaps import write_figures

        written = write_figures(found, folder)
    if fmt == "json":
        from neuroflow.explain.report import as_json

        print(json.dumps(as_json(found, written), indent=2, ensure_ascii=False))
        return
    from neuroflow.explain.report import format_explanations

    print(format_explanations(found))
    for path in written:
        print(f"wrote {path}")


def _load(model: str):
    from neuroflow.api import load
    from neuroflow.explain.attributions import check_explainable

    if str(model).lower().endswith(".onnx"):  # said before onnxruntime loads it
        check_explainable(object())
    loaded = load(model)
    check_explainable(loaded)
    return loaded


def _importances(loaded, folder: Path | None, fmt: str, data_dir: str | None) -> None:
    from neuroflow.api import importances

    found = importances(loaded, data_dir=data_dir)
    path = None
    if folder is not None:
        from neuroflow.explain.heatmaps import importance_figure

        folder.mkdir(parents=True, exist_ok=True)
        title = f"Permutation importance on the {found['data']}"
        path = importance_figure(found["importances"], folder / "importances.png", title)
    if fmt == "json":
        print(json.dumps(found | ({"file": str(path)} if path else {}), indent=2))
        return
    from neuroflow.explain.report import format_importances

    print(format_importances(found))
    if path:
        print(f"wrote {path}")
