"""`neuroflow tune`: search a model's hyperparameters with Optuna, in a stored study that many
workers can share.

A trial trains the spec with its values substituted and reports its validation metric as it goes, so
poor trials are pruned; on a small table it is scored by k-fold cross-validation (folds.py).
`trials=N` means "until the study holds N finished trials", so the same command again continues it.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from neuroflow.errors import TrainingStopped, UsageError
from neuroflow.files import check_folder
from neuroflow.models.config import model_name
from neuroflow.tuning.folds import (
    add_spread,
    choose_folds,
    describe_scoring,
    fold_datasets,
    fold_score,
    merged,
)
from neuroflow.tuning.results import METRICS, best_trial, counts, finished, summarise, write_results
from neuroflow.tuning.space import apply, build_space, describe, suggest
from neuroflow.tuning.space_file import read_space
from neuroflow.tuning.study import (
    Heartbeat,
    open_study,
    quiet_optuna,
    redact,
    stand_down,
    storage_url,
)

PRUNERS = ("median", "hyperband", "none")
POLL_S = 0.5
REPORTS_PER_TRIAL = (
    20  # each report is a database write (~10 ms on SQLite): more than a tiny epoch of Iris
)


@dataclass
class TuneResult:
    # what summary.json holds: counts, best trial and values, the trials table, files written
    summary: dict
    best_model: object | None  # a neuroflow Model, or None while no trial has completed
    study: object  # the optuna.Study, for anything the summary leaves out


def tune(
    data,
    model=None,
    *,
    trials: int,
    timeout: float | None = None,
    space=None,
    storage: str | None = None,
    study: str | None = None,
    metric: str | None = None,
    pruner: str = "median",
    out: str | Path | None = None,
    target: str | None = None,
    task: str | None = None,
    data_dir: str | None = None,
    seed: int = 0,
    folds: int | None = None,
    progress: str = "auto",
) -> TuneResult:
    """Run trials until the study holds `trials` finished ones; write the results and best-model/ to
    `out`.

    storage: a database URL or an SQLite file path (default OUT/study.db; in memory when `out` is
    None too). folds: score each trial by k-fold cross-validation on train + validation and train
    the best on both (None: 5 folds for tables under 2,000 rows, else 1 = the validation split, as
    for images).
    """
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
    dataset, spec, label, full_space = prepare(
        data, model, space, target=target, task=task, data_dir=data_dir, seed=seed
    )
    metric = metric or ("val_accuracy" if dataset.task == "classification" else "val_loss")
    usable = (
        ("val_accuracy", "val_loss")
        if dataset.task == "classification"
        else ("val_loss", "val_mae")
    )
    if metric not in usable:
        raise UsageError(
            f"--metric {metric} does not fit {dataset.task}", f"use {' or '.join(usable)}"
        )
    folds = choose_folds(dataset, folds)
    out_dir = _out_folder(out)
    name = study or model_name(dataset.name, label)
    # Everything that decides what a trial's value means: the same command again must give the same.
    signature = {
        "data": dataset.name,
        "target": dataset.preprocessing.get("target"),
        "task": dataset.task,
        "model": label,
        "space": describe(full_space),
        "metric": metric,
        "pruner": pruner,
        "seed": seed,
        "folds": folds,
    }
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
        say(
            f"Study {name} in {where}: {finished(optuna_study)} finished trials; running until "
            f"{trials}."
            f" Each trial is scored on {scoring}."
        )
        runner = _Runner(dataset, spec, full_space, metric, seed, rdb, say, where, folds)
        started = time.monotonic()
        try:
            stopped = run_trials(optuna_study, runner, trials, timeout)
        except KeyboardInterrupt:
            raise _interrupted(runner.current, optuna_study, where) from None
        summary = summarise(
            optuna_study,
            metric,
            describe(full_space),
            trials,
            runner.ran,
            stopped,
            where,
            time.monotonic() - started,
        )
        summary["scoring"] = {"folds": folds, "on": scoring}
        add_spread(summary, optuna_study, metric, folds)
        best = None
        if summary["best"]:
            c = summary["counts"]
            best = runner.best_model(best_trial(optuna_study, metric))
            best.config["tuning"] = {
                "study": name,
                "storage": where,
                "metric": metric,
                "best_trial": summary["best"]["trial"],
                "value": summary["best"]["value"],
                "spread": summary["best"].get("spread"),
                "folds": folds,
                "scored_on": scoring,
                "finished_trials": c["complete"] + c["pruned"],
                "pruned": c["pruned"],
                "params": summary["best"]["params"],
                "space": describe(full_space),
            }
        if out_dir is not None:
            write_results(out_dir, optuna_study, summary, best, dataset, seed)
    return TuneResult(summary, best, optuna_study)


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


def make_pruner(name: str, space: dict):
    import optuna

    low, high = _epoch_range(space)
    if (
        name == "median"
    ):  # judge a trial only after a quarter of the shortest run, once 5 trials have finished
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=low // 4 + 1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=max(1, low // 4), max_resource=max(high, 2), reduction_factor=3
        )
    return optuna.pruners.NopPruner()


def run_trials(study, runner, trials: int, timeout: float | None) -> str:
    """Start trials until the study holds `trials` finished ones, waiting for other workers' last
    ones: 'done' or 'timeout'."""
    import optuna

    start = time.monotonic()
    while True:
        if timeout is not None and time.monotonic() - start >= timeout:
            return "timeout"
        optuna.storages.fail_stale_trials(study)
        c = counts(study)
        if c["complete"] + c["pruned"] >= trials:
            return "done"
        if (
            c["complete"] + c["pruned"] + c["running"] >= trials
        ):  # other workers are running the last ones
            time.sleep(POLL_S)
            continue
        trial = study.ask()
        if stand_down(study, trial, trials):
            continue
        runner.run(study, trial, c["complete"] + c["pruned"], trials)
        runner.current = None  # a Ctrl-C from here on falls between trials


class _Runner:
    """Runs one trial at a time in this process and keeps the best model it trained."""

    def __init__(self, dataset, spec, space, metric, seed, rdb, say, where, folds: int = 1):
        self.dataset, self.spec, self.space, self.metric, self.seed = (
            dataset,
            spec,
            space,
            metric,
            seed,
        )
        self.rdb, self.say, self.where, self.folds = rdb, say, where, folds
        self.parts = fold_datasets(dataset, folds, seed) if folds > 1 else [dataset]
        self.every = max(1, math.ceil(_epoch_range(space)[1] / REPORTS_PER_TRIAL))
        self.ran: list[int] = []
        self.current: int | None = None
        self._best: tuple | None = None  # (trial number, Model)

    def run(self, study, trial, done: int, trials: int) -> None:
        import optuna
        from optuna.trial import TrialState

        # Reseeded per trial number: trial k gets the same values whichever worker or rerun samples
        # it.
        study.sampler = optuna.samplers.TPESampler(seed=_trial_seed(self.seed, trial.number))
        self.ran.append(trial.number)
        self.current, epoch, t0 = trial.number, [0], time.perf_counter()

        def report(logs: dict) -> None:
            epoch[0] = logs["epoch"]
            if logs["epoch"] % self.every == 0:
                trial.report(logs[self.metric], logs["epoch"])
                if trial.should_prune():
                    raise optuna.TrialPruned()

        values: dict = {}
        with Heartbeat(self.rdb, trial):
            try:
                values = suggest(self.space, trial)
                trial.set_user_attr("values", values)
                # The pruner judges a trial by its first fold as it trains: every trial's first fold
                # is the same rows.
                models = [
                    self.train(values, report if i == 0 else None, part)
                    for i, part in enumerate(self.parts)
                ]
            except (optuna.TrialPruned, TrainingStopped) as err:
                if (
                    isinstance(err, TrainingStopped) and err.exit_code == 130
                ):  # Ctrl-C or SIGTERM inside fit
                    study.tell(trial, state=TrialState.FAIL)
                    raise _interrupted(trial.number, study, self.where) from None
                # A loss that became NaN/Inf ends the trial like the pruner would: a poor choice of
                # values.
                trial.set_user_attr(
                    "pruned_because", str(err) if isinstance(err, TrainingStopped) else "pruner"
                )
                trial.set_user_attr("epochs_run", epoch[0])
                study.tell(trial, state=TrialState.PRUNED)
                self.say(
                    f"trial {trial.number}: pruned at epoch {epoch[0]}  {_fmt(values)}  "
                    f"({time.perf_counter() - t0:.1f} s)"
                )
                return
            except BaseException:
                study.tell(trial, state=TrialState.FAIL)
                raise
            rows = [self._row(m) for m in models]
            score = fold_score(rows, self.metric)
            trial.set_user_attr(
                "epochs_run", round(sum(len(m.history) for m in models) / len(models))
            )
            trial.set_user_attr("val_loss", score["val_loss"])
            if self.folds > 1:
                trial.set_user_attr("spread", score["spread"])
                trial.set_user_attr("fold_values", score["folds"])
                trial.set_user_attr("best_epochs", [r["epoch"] for r in rows])
            study.tell(trial, score["value"])
        if self.folds == 1 and best_trial(study, self.metric).number == trial.number:
            self._best = (trial.number, models[0])
        spread = f" ± {score['spread']:.4f} over {self.folds} folds" if self.folds > 1 else ""
        self.say(
            f"trial {trial.number} ({done + 1}/{trials}): {self.metric} "
            f"{score['value']:.4f}{spread}  {_fmt(values)}  ({time.perf_counter() - t0:.1f} s)"
        )

    def _row(self, model) -> dict:
        # With early stopping the model keeps its lowest-val_loss epoch, so that epoch's figures are
        # the trial's.
        if self.spec.get("early_stopping"):
            return min(model.history, key=lambda h: h["val_loss"])
        return model.history[-1]

    def train(self, values: dict, on_epoch_end=None, dataset=None, spec: dict | None = None):
        from neuroflow.training import EpochHook, TrainSettings, fit

        hooks = [EpochHook(on_epoch_end)] if on_epoch_end is not None else []
        return fit(
            self.dataset if dataset is None else dataset,
            apply(self.spec, values) if spec is None else spec,
            TrainSettings(seed=self.seed),
            progress="quiet",
            callbacks=hooks,
        )

    def best_model(self, best):
        """The best trial's model: kept from this process, else trained again from its values and
        the seed.

        With folds, it is trained again on train + validation; with early stopping, for the mean
        over folds of the epochs it kept, since no rows are left to stop on.
        """
        values = best.user_attrs.get("values", best.params)
        data = self.dataset
        if self.folds > 1:
            data, spec = merged(self.dataset), apply(self.spec, values)
            if spec.pop("early_stopping", None):
                epochs = best.user_attrs.get("best_epochs") or [spec.get("epochs", 10)]
                spec["epochs"] = max(1, round(sum(epochs) / len(epochs)))
            model = self.train(values, dataset=data, spec=spec)
        elif self._best is not None and self._best[0] == best.number:
            model = self._best[1]
        else:
            model = self.train(values)
        recipe = self.spec.get("name", "custom")
        model.config["name"] = f"{model_name(self.dataset.name, recipe)}-tuned"
        model.config["spec"]["description"] = (
            f"{self.spec.get('name', 'A spec')} with settings chosen by neuroflow tune (trial "
            f"{best.number})."
        )
        from neuroflow.evaluation.after_training import after_training

        after_training(model, data)
        return model


def _epoch_range(space: dict) -> tuple[int, int]:
    p = space["epochs"]
    if p.pinned:
        return p.value, p.value
    return (min(p.choices), max(p.choices)) if p.choices is not None else (p.low, p.high)


def _trial_seed(seed: int, number: int) -> int:
    import numpy as np

    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


def _fmt(values: dict) -> str:
    return ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()
    )


def _interrupted(trial: int | None, study, where: str) -> TrainingStopped:
    during = f" during trial {trial}" if trial is not None else ""
    err = TrainingStopped(
        f"tuning interrupted{during}; {finished(study)} finished trials are kept in {where}",
        "run the same command again to continue the study",
    )
    err.exit_code = 130
    return err


__all__ = ["METRICS", "PRUNERS", "TuneResult", "prepare", "tune"]
