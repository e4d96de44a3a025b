"""`neuroflow tune`: lesson step 9, a hyperparameter search with Optuna in a study that several
workers can share."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError


@app.command()
def tune(
    data: str = typer.Argument(
        ...,
        help="A built-in dataset (iris, digits, mnist, fashion-mnist), a CSV file, or a folder of "
        "class-named image folders.",
    ),
    model: str = typer.Option(
        None,
        "--model",
        help="A recipe name (see 'neuroflow models') or a .yaml/.json spec; default: the data's "
        "recipe.",
    ),
    trials: int = typer.Option(
        None,
        "--trials",
        help="Required: run until the study holds this many finished trials (completed or "
        "pruned); a rerun continues it.",
    ),
    timeout: float = typer.Option(
        None, "--timeout", help="Start no new trial after this many seconds."
    ),
    space: str = typer.Option(
        None,
        "--space",
        help="A YAML file that pins, narrows or widens the default search space (see "
        "--show-space).",
    ),
    storage: str = typer.Option(
        None,
        "--storage",
        help="Study database: an SQLite file path or a URL such as "
        "postgresql://user:password@host/db (default: OUT/study.db).",
    ),
    study: str = typer.Option(
        None,
        "--study",
        help="Study name (default: DATA-MODEL); workers sharing a storage and a name share the "
        "study.",
    ),
    metric: str = typer.Option(
        None,
        "--metric",
        help="val_accuracy (default for classification), val_loss (default for regression) or "
        "val_mae.",
    ),
    pruner: str = typer.Option(
        "median", "--pruner", help="Stop poor trials early: median, hyperband or none."
    ),
    target: str = typer.Option(None, "--target", help="The CSV column to predict."),
    task: str = typer.Option(
        None, "--task", help="classification or regression (default: inferred from the target)."
    ),
    data_dir: str = typer.Option(
        None, "--data-dir", help="Folder holding dataset files (e.g. the MNIST IDX files)."
    ),
    seed: int = typer.Option(
        0, "--seed", help="Seeds the data split, the sampler and every trial's training."
    ),
    folds: int = typer.Option(
        None,
        "--folds",
        help="Score each trial by K-fold cross-validation on train + validation and train the best "
        "on both "
        "(default: 5 for tables under 2,000 rows; 1 = the validation split, as for images).",
    ),
    out: str = typer.Option(
        None, "--out", help="Folder for the results and best-model/ (default: tuning/DATA-MODEL)."
    ),
    show_space: bool = typer.Option(
        False,
        "--show-space",
        help="Print the search space as YAML (a starting point for --space) and exit.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the results."),
) -> None:
    """Search hyperparameters (learning rate, batch size, dropout, widths, filters, kernel size,
    epochs) and save the best model."""
    from neuroflow.tuning.run import prepare
    from neuroflow.tuning.run import tune as run_tune

    if show_space:
        full_space = prepare(
            data, model, space, target=target, task=task, data_dir=data_dir, seed=seed
        )[3]
        print(_space_yaml(full_space), end="")
        return
    if trials is None:
        raise UsageError("tune needs --trials N", "e.g. neuroflow tune iris --trials 20")
    if out is None:
        from neuroflow.models.config import model_name

        label = Path(model).stem if model else None
        out = str(Path("tuning") / model_name(Path(data).name, label))
    result = run_tune(
        data, model, trials=trials, timeout=timeout, space=space, storage=storage, study=study,
        metric=metric, pruner=pruner, out=out, target=target, task=task, data_dir=data_dir,
        seed=seed, folds=folds, progress="quiet" if quiet or as_json else "auto",
    )  # fmt: skip
    if as_json:
        print(json.dumps(result.summary, indent=2, ensure_ascii=False))
    else:
        _report(result.summary, out)


def _report(summary: dict, out: str) -> None:
    """The trials table, the counts, the best trial and where its model and the results are."""
    print(_table(summary))
    c = summary["counts"]
    print(
        f"{c['complete']} completed, {c['pruned']} pruned, {c['fail']} failed trials in study "
        f"{summary['study']} ({summary['storage']})"
        + ("; stopped by --timeout" if summary["stopped"] == "timeout" else "")
    )
    best = summary["best"]
    if best is None:
        print("No trial has completed yet: run the same command again to continue.")
        return
    chosen = ", ".join(
        f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in best["params"].items()
    )
    spread = f" ± {best['spread']:.4f}" if best.get("spread") is not None else ""
    print(
        f"Best: trial {best['trial']}, {summary['metric']} {best['value']:.4f}{spread} on "
        f"{summary['scoring']['on']}: {chosen}"
    )
    test = ", ".join(f"test {k} {v:.4f}" for k, v in best.get("test", {}).items())
    print(f"Best model saved to {summary['files']['best_model']} ({test}); results in {out}")


def _table(summary: dict, limit: int = 30) -> str:
    """The trials as aligned columns; past `limit` rows, only the best ones (trials.csv holds them
    all)."""
    rows, metric = summary["trials"], summary["metric"]
    if not rows:
        return "No trials yet."
    note = ""
    if len(rows) > limit:
        sign = -1 if summary["direction"] == "maximize" else 1
        rows = sorted((r for r in rows if r[metric] is not None), key=lambda r: sign * r[metric])[
            :limit
        ]
        note = f"\n(the best {len(rows)} of {len(summary['trials'])} trials; all are in trials.csv)"
    names = list(rows[0])
    cells = [[_cell(r[n]) for n in names] for r in rows]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]
    lines = ["  ".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True))]
    lines += ["  ".join(f"{c:>{w}}" for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines) + note


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _space_yaml(space: dict) -> str:
    import yaml

    from neuroflow.tuning.space import PARAMS

    lines = [
        "# neuroflow tune search space: edit and pass with --space FILE (a list = choices, one "
        "value = pinned)"
    ]
    for name, p in space.items():
        entry = yaml.safe_dump(
            {name: p.as_yaml()}, default_flow_style=True, sort_keys=False
        ).strip()[1:-1]  # without the outer braces
        lines.append(f"{entry:<44}# {PARAMS[name][3]}")
    return "\n".join(lines) + "\n"
