"""`neuroflow tune`: search a model's hyperparameters with Optuna, in a stored study that many
workers can share.

A trial trains the spec with its values substituted and reports its validation metric as it goes, so
poor trials are pruned; on a small table it is scored by k-fold cross-validation (folds.py).
`trials=N` means "until the study holds N finished trials", so the same command again continues it.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from neuroflow.errors import UsageError
from neuroflow.files import check_folder
from neuroflow.models.config import model_name
from neuroflow.tuning.folds import (
    add_spread,
    choose_folds,
    describe_scoring,
)
from neuroflow.tuning.results import METRICS, best_trial, finished, summarise, write_results
from neuroflow.tuning.space import build_space, describe
from neuroflow.tuning.space_file import read_space
from neuroflow.tuning.study import open_study, quiet_optuna, redact, storage_url
from neuroflow.tuning.trials import PRUNERS, Runner, interrupted, make_pruner, run_trials


@dataclass
class TuneResult:
    # what summary.json holds: counts, best trial and values, the trials table, files written
    summary: dict
    best_model: object | None  # a neuroflow Model, or None while no trial has completed
    study: object  # the optuna.Study, for anything the summary leaves out


def tune(
    data, model=None, *, trials: int, timeout: float | None = None, space=None,
    storage: str | None = None, study: str | None = None, metric: str | None = None,
    pruner: str = "median", out: str | Path | None = None, target: str | None = None,
    task: str | None = None, data_dir: str | None = None, seed: int = 0,
    folds: int | None = None, progress: str = "auto",
) -> TuneResult:  # fmt: skip
    """Run trials until the study holds `trials` finished ones; write the results and best-model/ to
    `out`.

    storage: a database URL or an SQLite file path (default OUT/study.db; in memory when `out` is
    None too). folds: k-fold cross-validation on train + validation, the best then trained on both
    (None: 5 folds for tables under 2,000 rows, else 1 = the validation split, as for images).
    """
    _check(trials, timeout, pruner)
    dataset, spec, label, full_space = prepare(
        data, model, space, target=target, task=task, data_dir=data_dir, seed=seed
    )
    metric = _metric(metric, dataset.task)
    folds = choose_folds(dataset, folds)
    out_dir = _out_folder(out)
    name = study or model_name(dataset.name, label)
    # Everything that decides what a trial's value means: the same command again must give the same.
    signature = dict(
        data=dataset.name, target=dataset.preprocessing.get("target"), task=dataset.task,
        model=label, space=describe(full_space), metric=metric, pruner=pruner, seed=seed,
        folds=folds,
    )  # fmt: skip
    say = (lambda text: None) if progress == "quiet" else print
    with _no_empty_folder(out_dir), warnings.catch_warnings():
        url = storage_url(storage, out_dir)
        where = redact(url) if url else "memory"
        quiet_optuna()
        rdb, optuna_study = open_study(
            url, name, METRICS[metric], make_pruner(pruner, full_space), signature
        )
        optuna_study.set_user_attr("space", describe(full_space))
        scoring = describe_scoring(folds, dataset)
        done = finished(optuna_study)
        say(
            f"Study {name} in {where}: {done} finished trials; running until {trials}. "
            f"Each trial is scored on {scoring}."
        )
        runner = Runner(dataset, spec, full_space, metric, seed, rdb, say, where, folds)
        summary = _search(optuna_study, runner, trials, timeout, scoring)
        best = _best(runner, optuna_study, summary, name, where, full_space)
        if out_dir is not None:
            write_results(out_dir, optuna_study, summary, best, dataset, seed)
    return TuneResult(summary, best, optuna_study)


def _search(optuna_study, runner, trials: int, timeout, scoring: str) -> dict:
    """Run the trials this process takes, then summarise the study (every worker's trials)."""
    started = time.monotonic()
    try:
        stopped = run_trials(optuna_study, runner, trials, timeout)
    except KeyboardInterrupt:
        raise interrupted(runner.current, optuna_study, runner.where) from None
    wall_s = time.monotonic() - started
    metric, space_text = runner.metric, describe(runner.space)
    summary = summarise(
        optuna_study, metric, space_text, trials, runner.ran, stopped, runner.where, wall_s
    )
    summary["scoring"] = {"folds": runner.folds, "on": scoring}
    add_spread(summary, optuna_study, metric, runner.folds)
    return summary


def _check(trials, timeout, pruner) -> None:
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise UsageError(
            f"--trials must be a whole number of at least 1, not {trials!r}", "e.g. --trials 20"
        )
    if timeout is not None and not (isinstance(timeout, int | float) and timeout > 0):
        raise UsageError(
            f"--timeout must be a positive number of seconds, not {timeout!r}", "e.g. --timeout 600"
        )
    if pruner not in PRUNERS:
        raise UsageError(f"unknown pruner {pruner!r}", f"choose one of: {', '.join(PRUNERS)}")


def _metric(metric: str | None, task: str) -> str:
    classes = task == "classification"
    metric = metric or ("val_accuracy" if classes else "val_loss")
    usable = ("val_accuracy", "val_loss") if classes else ("val_loss", "val_mae")
    if metric not in usable:
        raise UsageError(f"--metric {metric} does not fit {task}", f"use {' or '.join(usable)}")
    return metric


def _best(runner, optuna_study, summary: dict, name: str, where: str, full_space: dict):
    """The best trial's model, with the search that chose it in its config (None: no trial yet)."""
    if not summary["best"]:
        return None
    best = runner.best_model(best_trial(optuna_study, summary["metric"]))
    best.config["tuning"] = _tuning_record(summary, name, where, full_space)
    return best


def _tuning_record(summary: dict, name: str, where: str, full_space: dict) -> dict:
    """What the best model's config.json says of the search that chose it."""
    c, best = summary["counts"], summary["best"]
    return {
        "study": name,
        "storage": where,
        "metric": summary["metric"],
        "best_trial": best["trial"],
        "value": best["value"],
        "spread": best.get("spread"),
        "folds": summary["scoring"]["folds"],
        "scored_on": summary["scoring"]["on"],
        "finished_trials": c["complete"] + c["pruned"],
        "pruned": c["pruned"],
        "params": best["params"],
        "space": describe(full_space),
    }


def prepare(data, model=None, space=None, *, target=None, task=None, data_dir=None, seed: int = 0):
    """(dataset, spec, model label, full space); a space file is checked before any data is
    loaded."""
    from neuroflow.data import load_dataset
    from neuroflow.models.recipes import resolve_model

    user = read_space(space)
    dataset = (
        load_dataset(str(data), target=target, task=task, data_dir=data_dir, seed=seed)
        if isinstance(data, str | Path)
        else data
    )
    spec = resolve_model(model, dataset.kind, dataset.name)
    label = Path(model).stem if isinstance(model, str | Path) else spec.get("name", "custom")
    return (
        dataset,
        spec,
        label,
        build_space(spec, user, Path(space).name if isinstance(space, str | Path) else "space"),
    )


def _out_folder(out) -> Path | None:
    if out is None:
        return None
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file", "give a folder for --out")
    check_folder(out)  # nor under a file
    if (
        out.is_dir()
        and any(out.iterdir())
        and not any((out / f).exists() for f in ("study.db", "summary.json", "trials.csv"))
    ):
        raise UsageError(
            f"{out} exists and holds no tuning results",
            "choose another --out, or empty that folder",
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


@contextlib.contextmanager
def _no_empty_folder(out: Path | None):
    """A run that fails before writing anything (a bad storage URL, say) leaves no empty --out
    folder behind."""
    try:
        yield
    except BaseException:
        if out is not None and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise


__all__ = ["METRICS", "PRUNERS", "TuneResult", "prepare", "tune"]
