"""`neuroflow predict`: lesson step 7, the model's answer for raw rows or pictures, as the lessons
print it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError


@app.command()
def predict(
    model: str = typer.Argument(..., help="A model folder (or bundle .zip, or exported .onnx)."),
    inputs: list[str] = typer.Argument(
        ..., help="A CSV of raw rows, or pictures / a folder of pictures.", show_default=False
    ),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    reject: bool = typer.Option(
        False,
        "--reject",
        help="Say 'unknown' instead of a class for inputs unlike the training data.",
    ),
    no_preprocess: bool = typer.Option(
        False,
        "--no-preprocess",
        help="Feed pictures as they are (only resized), not prepared like MNIST digits.",
    ),
    show: str = typer.Option(
        None, "--show", help="Write a PNG grid of each picture as the model saw it."
    ),
) -> None:
    """Predict for raw inputs through the model's saved preprocessing."""
    from neuroflow.inference.tables import format_predictions

    if fmt not in ("table", "csv", "json"):
        raise UsageError(f"--format {fmt!r} is not known", "use table, csv or json")
    if show:  # checked before predicting, so a bad name wastes nothing
        _check_show(show)
    from neuroflow.api import load
    from neuroflow.inference.predict import predict as run

    loaded = load(model)
    if loaded.kind == "table" and len(inputs) != 1:
        raise UsageError(
            "a table model takes one CSV file of rows",
            "put the rows in one CSV with the training columns",
        )
    results = run(loaded, inputs[0] if loaded.kind == "table" else inputs, raw=no_preprocess)
    if fmt == "json":
        print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        print(format_predictions(results, loaded, fmt, reject=reject))
    if show:
        from neuroflow.inference.tables import show_grid

        show_grid(loaded, inputs, results, show, raw=no_preprocess)
        print(f"wrote {show}")


def _check_show(show: str) -> None:
    from neuroflow.files import check_parent

    if Path(show).suffix.lower() != ".png" or Path(show).is_dir():
        raise UsageError(
            f"--show {show} is not a .png file name", "name the picture e.g. --show seen.png"
        )
    check_parent(Path(show))
