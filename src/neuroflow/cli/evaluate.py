"""`neuroflow evaluate`: lesson step 8, a model's figures on held-back data, with pictures."""

from __future__ import annotations

import json

import typer

from neuroflow.cli.app import app


@app.command()
def evaluate(
    model: str = typer.Argument(..., help="A model folder (or bundle .zip)."),
    data: str = typer.Argument(
        None, help="Data to evaluate on (default: the test split recorded at training)."
    ),
    data_dir: str = typer.Option(None, "--data-dir", help="Folder holding dataset files."),
    unknown: str = typer.Option(
        None,
        "--ood",
        help="Data that is NOT like the training data, to measure the unknown-input check.",
    ),
    out: str = typer.Option(None, "--out", help="Folder for the PNGs (default: the model folder)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Accuracy, per-class precision/recall/F1 and the confusion matrix (or MAE, RMSE and R²)."""
    from neuroflow.plotting import figures as plotting

    with (
        plotting.helper()
    ):  # loads matplotlib on another core while torch loads and the model is evaluated
        from neuroflow.evaluation.evaluate import evaluate as run
        from neuroflow.evaluation.report import format_report
        from neuroflow.models.store import load_model

        loaded = load_model(model)
        report = run(loaded, data, data_dir=data_dir, out=out)
        if unknown:
            from neuroflow.evaluation.unknown_inputs import evaluate_unknown

            report["ood"] = evaluate_unknown(loaded, unknown, data_dir=data_dir, out=out)
    print(json.dumps(report, indent=2) if as_json else format_report(report, loaded))
