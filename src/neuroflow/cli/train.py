"""`neuroflow train`, `neuroflow models` and `neuroflow inspect`: lesson steps 1–6 on the command
line."""

from __future__ import annotations

import json

import typer

from neuroflow.cli.app import app, fail
from neuroflow.errors import NeuroflowError


@app.command()
def train(
    data: str = typer.Argument(
        None,
        help="A built-in dataset (iris, digits, mnist, fashion-mnist), a CSV file, "
        "or a folder of class-named image folders.",
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
        None,
        "--from",
        help="Start from a shared model: a model folder or a bundle .zip (fine-tuning), or a "
        "pretrained network by name (see 'neuroflow models --pretrained').",
    ),
    weights: str = typer.Option(
        None, "--weights", help="With --from NETWORK: a local file of its weights (no download)."
    ),
    fine_tune_epochs: int = typer.Option(
        None,
        "--fine-tune-epochs",
        help="With --from NETWORK: after training the new output layer, train every layer this "
        "many epochs more at a tenth of the learning rate.",
    ),
    freeze: str = typer.Option(None, "--freeze", help="With --from: 'features' or 'all-but-head'."),
    new_head: bool = typer.Option(
        False, "--new-head", help="With --from: start the output layer afresh."
    ),
    epochs: int = typer.Option(
        None, "--epochs", help="Passes over the training data (default: the recipe's, else 10)."
    ),
    batch_size: int = typer.Option(
        None, "--batch-size", help="Examples per step (default: the recipe's, else 32)."
    ),
    lr: float = typer.Option(
        None, "--lr", help="Learning rate (default: the recipe's, else 0.001)."
    ),
    optimizer: str = typer.Option(
        None,
        "--optimizer",
        help="adam, adamw, sgd or rmsprop (default: the recipe's, else adam).",
    ),
    seed: int = typer.Option(
        None, "--seed", help="Same seed, same machine: same weights (default: 0)."
    ),
    early_stopping: int = typer.Option(
        None,
        "--early-stopping",
        help="Stop after this many epochs without a lower val_loss; keep the best weights.",
    ),
    outlier_exposure: float = typer.Option(
        None,
        "--outlier-exposure",
        help="Weight of the made-up non-examples that teach the unknown-input check (image "
        "classes; 0: none, faster, weaker check; default: the recipe's).",
    ),
    augment: str = typer.Option(
        None, "--augment", help="e.g. 'invert' or 'invert,rotate=15,noise=0.1'."
    ),
    augment_test: bool = typer.Option(
        False,
        "--augment-test",
        help="With --augment invert: add inverted copies to the test split too, as the lesson "
        "does.",
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
    data_in: str = typer.Option(
        None,
        "--data-in",
        help="memory or stream: hold an image folder or a CSV table in memory, or stream it from "
        "a cache on disk (default: by its size against RAM).",
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Refuse an image folder with unreadable pictures instead of skipping them.",
    ),
    out: str = typer.Option(
        None,
        "--out",
        help="Model folder to write (default: models/DATA-RECIPE, the model's own name, e.g. "
        "models/iris-mlp).",
    ),
    resume: str = typer.Option(
        None, "--resume", help="Continue an interrupted run from its folder."
    ),
    on_nan: str = typer.Option(
        None,
        "--on-nan",
        help="When the loss becomes NaN/Inf: stop or continue (default: stop).",
    ),
    license_: str = typer.Option(None, "--license", help="License recorded in the model card."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing while training."),
    distributed: bool = typer.Option(
        False,
        "--distributed",
        help="Train as one process of a torchrun group, from torchrun's variables (automatic under "
        "torchrun; see docs/distributed.md).",
    ),
) -> None:
    """Train a model and write its folder: config.json, model.safetensors, README.md, history.json,
    loss_curve.png."""
    from neuroflow.api import train as train_model
    from neuroflow.plotting import figures as plotting

    strategy = _distributed(distributed)
    try:
        with plotting.helper():  # loads matplotlib on another core while torch loads and trains
            trained = train_model(
                data, model, target=target, task=task, parent=from_model, freeze=freeze,
                new_head=new_head or None, epochs=epochs, batch_size=batch_size, lr=lr,
                optimizer=optimizer, seed=seed, early_stopping=early_stopping,
                outlier_exposure=outlier_exposure, augment=augment,
                augment_test=augment_test or None, image_size=image_size, grayscale=grayscale,
                data_dir=data_dir, data_in=data_in, strict=strict,
                out=out or (None if resume else True), resume=resume,
                on_nan=on_nan, license=license_, progress="quiet" if quiet else "auto",
                test=True, strategy=strategy, weights=weights,
                fine_tune_epochs=fine_tune_epochs,
            )  # fmt: skip
    except NeuroflowError as err:
        from neuroflow.training.distributed import PeerLost

        if isinstance(err, PeerLost) and (out or resume):
            from neuroflow.training.process_group import RUN_FOLDER

            raise PeerLost(err.message, err.hint.replace(RUN_FOLDER, out or resume)) from None
        if strategy is None or isinstance(err, PeerLost):
            raise
        # Every rank meets the same errors (or is told of another's): rank 0 says them, and the
        # others wait until it has, since torchrun stops every rank once one of them has ended.
        try:
            if strategy.is_chief:
                fail(str(err), err.exit_code)
            raise SystemExit(err.exit_code) from None
        finally:
            strategy.settle()
    finally:
        if strategy is not None:
            strategy.shutdown()
    if strategy is not None and not strategy.is_chief:
        return
    if not quiet:
        report = trained.test_report
        if trained.task == "classification":
            figure = f"test accuracy {report['accuracy']:.4f}"
        else:
            figure = f"test R² {report['r2']:.3f}, MAE {report['mae']:.4g}"
        print(f"{figure} on {report['data']}")
        print(f"Model saved to {trained.path} (reload with: neuroflow.load({str(trained.path)!r}))")


def _distributed(asked: bool):
    """The distributed strategy when asked for or started by torchrun; None for one process."""
    from neuroflow.config import launched_by_torchrun

    if not asked and not launched_by_torchrun():
        return None
    from neuroflow.training.distributed import Distributed

    return Distributed.from_env()


@app.command()
def models(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    pretrained: bool = typer.Option(
        False, "--pretrained", help="List the published networks that --from NAME starts from."
    ),
) -> None:
    """List the built-in recipes (the lessons' networks and defaults), or the pretrained
    networks."""
    from neuroflow.models.recipes import RECIPES

    if pretrained:
        from neuroflow.models.pretrained import catalogue

        rows = catalogue()
        if as_json:
            print(json.dumps(rows, indent=2))
            return
        head = f"{'network':20}{'parameters':>12}  {'input':9}{'ImageNet top-1':>15}"
        print(f"{head}  weights' licence")
        for r in rows:
            print(f"{r['name']:20}{r['params']:>12,}  {r['input']:9}{r['top1']:>14.1f}%  "
                  f"{r['licence']}")  # fmt: skip
        return
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
    """Show a dataset's columns, inferred types, missing counts, class balance and the preprocessing
    plan."""
    from neuroflow.data.inspect import inspect_data

    report = inspect_data(data, target=target, data_dir=data_dir)
    print(json.dumps(report, indent=2) if as_json else report["text"])
