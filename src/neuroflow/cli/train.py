"""`neuroflow train`, `neuroflow models` and `neuroflow inspect`: lesson steps 1–6 on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError
from neuroflow.files import check_folder


def _image_size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        parts = [int(p) for p in text.lower().replace("x", ",").split(",")]
    except ValueError:
        raise UsageError(
            f"--image-size {text!r} is not a size", "write e.g. --image-size 28 or 32x32"
        ) from None
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or not all(1 <= p <= 4096 for p in parts):
        raise UsageError(
            f"--image-size {text!r} is out of range", "give one or two whole numbers from 1 to 4096"
        )
    return parts[0], parts[1]


# What a checkpoint must record of the command line that started it, for --resume to repeat it.
RESUME_KEYS = {
    "data",
    "target",
    "task",
    "model",
    "data_dir",
    "augment",
    "image_size",
    "grayscale",
    "seed",
    "from_model",
    "freeze",
    "new_head",
    "epochs",
    "batch_size",
    "lr",
    "optimizer",
    "early_stopping",
    "on_nan",
}


@app.command()
def train(
    data: str = typer.Argument(
        None,
        help="A built-in dataset (iris, digits, mnist, fashion-mnist), a CSV file, or a folder of class-named image folders.",
        show_default=False,
    ),
    target: str = typer.Option(None, "--target", help="The CSV column to predict."),
    task: str = typer.Option(
        None, "--task", help="classification or regression (default: inferred from the target)."
    ),
    model: str = typer.Option(
        None, "--model", help="A recipe name (see 'neuroflow models') or a .yaml/.json spec."
    ),
    from_model: str = typer.Option(
        None, "--from", help="Start from a shared model folder (fine-tuning)."
    ),
    freeze: str = typer.Option(None, "--freeze", help="With --from: 'features' or 'all-but-head'."),
    new_head: bool = typer.Option(
        False, "--new-head", help="With --from: start the output layer afresh."
    ),
    epochs: int = typer.Option(None, "--epochs", help="Passes over the training data."),
    batch_size: int = typer.Option(None, "--batch-size", help="Examples per step."),
    lr: float = typer.Option(None, "--lr", help="Learning rate."),
    optimizer: str = typer.Option(None, "--optimizer", help="adam, adamw, sgd or rmsprop."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same machine: same weights."),
    early_stopping: int = typer.Option(
        None,
        "--early-stopping",
        help="Stop after this many epochs without a lower val_loss; keep the best weights.",
    ),
    augment: str = typer.Option(
        None, "--augment", help="e.g. 'invert' or 'invert,rotate=15,noise=0.1'."
    ),
    augment_test: bool = typer.Option(
        False,
        "--augment-test",
        help="With --augment invert: add inverted copies to the test split too, as the lesson does.",
    ),
    image_size: str = typer.Option(
        None, "--image-size", help="Resize images to this size, e.g. 28 or 32x32."
    ),
    grayscale: bool = typer.Option(
        None, "--grayscale/--color", help="Convert images to grey (or keep colour)."
    ),
    data_dir: str = typer.Option(
        None, "--data-dir", help="Folder holding dataset files (e.g. the MNIST IDX files)."
    ),
    out: str = typer.Option(
        None, "--out", help="Model folder to write (default: models/DATA-MODEL)."
    ),
    resume: str = typer.Option(
        None, "--resume", help="Continue an interrupted run from its folder."
    ),
    on_nan: str = typer.Option(
        "stop", "--on-nan", help="When the loss becomes NaN/Inf: stop or continue."
    ),
    license_: str = typer.Option(None, "--license", help="License recorded in the model card."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing while training."),
) -> None:
    """Train a model and write its folder: config.json, model.safetensors, README.md, history.json, loss_curve.png."""
    args = dict(locals())
    from neuroflow.plotting import figures as plotting

    with (
        plotting.helper()
    ):  # loads matplotlib on another core while torch loads and the model trains
        _train(**args)


def _train(
    data,
    target,
    task,
    model,
    from_model,
    freeze,
    new_head,
    epochs,
    batch_size,
    lr,
    optimizer,
    seed,
    early_stopping,
    augment,
    augment_test,
    image_size,
    grayscale,
    data_dir,
    out,
    resume,
    on_nan,
    license_,
    quiet,
) -> None:
    from neuroflow.api import train as train_model
    from neuroflow.data import load_dataset

    progress = "quiet" if quiet else "auto"
    if resume:
        from neuroflow.training.checkpoint import read_info

        info = read_info(Path(resume))
        args = info.get("cli")
        if not isinstance(args, dict) or not set(args) >= RESUME_KEYS:
            raise UsageError(
                f"{resume} holds a checkpoint that 'neuroflow train' did not start",
                "resume it the way it was started, e.g. in Python: nf.train(..., out=FOLDER, resume=True)",
            )
        given = {
            "--target": target,
            "--task": task,
            "--model": model,
            "--from": from_model,
            "--freeze": freeze,
            "--epochs": epochs,
            "--batch-size": batch_size,
            "--lr": lr,
            "--optimizer": optimizer,
            "--early-stopping": early_stopping,
            "--augment": augment,
            "--image-size": image_size,
            "--data-dir": data_dir,
            "--out": out,
        }
        ignored = [flag for flag, value in given.items() if value is not None] + (
            ["DATA"] if data and data != args["data"] else []
        )
        if ignored:  # the run goes on with the settings it started with; a changed flag would be silently ignored
            raise UsageError(
                f"--resume continues {resume} with the settings it started with, so {', '.join(ignored)} cannot change",
                "leave them out, or start a new run with another --out",
            )
        data, out = args["data"], resume
        target, task, model, data_dir, augment = (
            args["target"],
            args["task"],
            args["model"],
            args["data_dir"],
            args["augment"],
        )
        image_size, grayscale, seed, augment_test = (
            args["image_size"],
            args["grayscale"],
            args["seed"],
            args.get("augment_test", False),
        )
        from_model, freeze, new_head = args["from_model"], args["freeze"], args["new_head"]
        epochs, batch_size, lr, optimizer, early_stopping, on_nan = (
            args[k] for k in ("epochs", "batch_size", "lr", "optimizer", "early_stopping", "on_nan")
        )
    if not data:
        raise UsageError(
            "train needs DATA",
            "e.g. neuroflow train iris, or neuroflow train table.csv --target COLUMN",
        )
    if epochs is not None and epochs < 1:
        raise UsageError(
            f"--epochs must be at least 1, not {epochs}", "give a positive number of epochs"
        )
    size = _image_size(image_size) if isinstance(image_size, str) else image_size
    parent = None
    if from_model:
        from neuroflow.models.store import load_model as load

        parent = load(from_model)
        if size is None and parent.preprocessing.get("type") == "image":
            size = (parent.preprocessing["height"], parent.preprocessing["width"])
            grayscale = parent.preprocessing["channels"] == 1 if grayscale is None else grayscale
    dataset = load_dataset(
        data,
        target=target,
        task=task,
        data_dir=data_dir,
        seed=seed,
        image_size=size,
        grayscale=grayscale,
    )
    if out is None:
        out = str(
            Path("models")
            / f"{dataset.name.removesuffix('.csv')}-{Path(model).stem if model else 'default'}"
        )
    out_path = Path(out)
    if not resume:
        check_folder(out_path)
    if (
        not resume
        and out_path.exists()
        and any(out_path.iterdir())
        and not (out_path / "config.json").exists()
        and not (out_path / "checkpoint").exists()
    ):
        raise UsageError(
            f"{out_path} exists and is not a neuroflow model folder",
            "choose another --out, or empty that folder",
        )
    new_folders = [
        p for p in (out_path, *out_path.parents) if not p.exists()
    ]  # removed again if training fails
    if not resume:
        out_path.mkdir(parents=True, exist_ok=True)
    cli_args = {
        "data": data,
        "target": target,
        "task": task,
        "model": model,
        "data_dir": data_dir,
        "augment": augment,
        "image_size": size,
        "grayscale": grayscale,
        "augment_test": augment_test,
        "seed": seed,
        "from_model": from_model,
        "freeze": freeze,
        "new_head": new_head,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "optimizer": optimizer,
        "early_stopping": early_stopping,
        "on_nan": on_nan,
    }
    if not quiet:
        print(dataset.describe())
    try:
        trained = train_model(
            dataset,
            model,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            seed=seed,
            early_stopping=early_stopping,
            augment=augment,
            augment_test=augment_test,
            on_nan=on_nan,
            out=out_path,
            resume=bool(resume),
            parent=parent,
            freeze=freeze,
            new_head=new_head,
            progress=progress,
            license=license_,
            run_info=cli_args,
        )
    except BaseException:
        for folder in new_folders:
            _remove_if_empty(folder)
        raise
    if not quiet:
        from neuroflow.evaluation.evaluate import evaluate

        report = evaluate(trained, dataset)
        figure = (
            f"test accuracy {report['accuracy']:.4f}"
            if trained.task == "classification"
            else f"test R² {report['r2']:.3f}, MAE {report['mae']:.4g}"
        )
        print(f"{figure} on {report['data']}")
        print(f"Model saved to {out_path} (reload with: neuroflow.load({str(out_path)!r}))")


def _remove_if_empty(path: Path) -> None:
    try:
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    except OSError:
        pass


@app.command()
def models(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the built-in recipes (the lessons' networks and defaults)."""
    from neuroflow.models.recipes import RECIPES

    if as_json:
        print(json.dumps(RECIPES, indent=2))
        return
    width = max(map(len, RECIPES))
    for name, r in RECIPES.items():
        print(f"{name:{width}}  {r['description']}")


@app.command()
def inspect(
    data: str = typer.Argument(..., help="A built-in dataset, a CSV file or an image folder."),
    target: str = typer.Option(None, "--target", help="The CSV column to predict."),
    data_dir: str = typer.Option(None, "--data-dir", help="Folder holding dataset files."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show a dataset's columns, inferred types, missing counts, class balance and the preprocessing plan."""
    from neuroflow.data.inspect import inspect_data

    report = inspect_data(data, target=target, data_dir=data_dir)
    print(json.dumps(report, indent=2) if as_json else report["text"])
