"""Running trials: the pruner, the loop that asks the study for trials, and the runner that trains
each trial (on every fold) and reports it, keeping the best model it trained.
"""

from __future__ import annotations

import math
import time

from neuroflow.errors import TrainingStopped
from neuroflow.models.config import model_name
from neuroflow.tuning.folds import fold_datasets, fold_score, merged
from neuroflow.tuning.results import best_trial, counts, finished
from neuroflow.tuning.space import apply, suggest
from neuroflow.tuning.study import Heartbeat, stand_down

POLL_S = 0.5
PRUNERS = ("median", "hyperband", "none")
REPORTS_PER_TRIAL = 20  # each report is a database write: more than a tiny epoch of Iris takes


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


class Runner:
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
                # The pruner judges a trial by its first fold as it trains: every trial's first
                # fold is the same rows.
                models = [
                    self.train(values, report if i == 0 else None, part)
                    for i, part in enumerate(self.parts)
                ]
            except (optuna.TrialPruned, TrainingStopped) as err:
                self._pruned(study, trial, err, epoch[0])
                self.say(
                    f"trial {trial.number}: pruned at epoch {epoch[0]}  {_fmt(values)}  "
                    f"({time.perf_counter() - t0:.1f} s)"
                )
                return
            except BaseException:
                study.tell(trial, state=TrialState.FAIL)
                raise
            score = self._record(study, trial, models)
        if self.folds == 1 and best_trial(study, self.metric).number == trial.number:
            self._best = (trial.number, models[0])
        spread = f" ± {score['spread']:.4f} over {self.folds} folds" if self.folds > 1 else ""
        self.say(
            f"trial {trial.number} ({done + 1}/{trials}): {self.metric} "
            f"{score['value']:.4f}{spread}  {_fmt(values)}  ({time.perf_counter() - t0:.1f} s)"
        )

    def _pruned(self, study, trial, err: BaseException, epoch: int) -> None:
        """A pruned trial, or one whose loss became NaN/Inf (a poor choice of values too); Ctrl-C
        or SIGTERM inside training fails the trial and stops tuning."""
        from optuna.trial import TrialState

        if isinstance(err, TrainingStopped) and err.exit_code == 130:
            study.tell(trial, state=TrialState.FAIL)
            raise interrupted(trial.number, study, self.where) from None
        why = str(err) if isinstance(err, TrainingStopped) else "pruner"
        trial.set_user_attr("pruned_because", why)
        trial.set_user_attr("epochs_run", epoch)
        study.tell(trial, state=TrialState.PRUNED)

    def _record(self, study, trial, models: list) -> dict:
        """Tell the study the trial's score (the mean over folds) and keep the folds' figures."""
        rows = [self._row(m) for m in models]
        score = fold_score(rows, self.metric)
        trial.set_user_attr("epochs_run", round(sum(len(m.history) for m in models) / len(models)))
        trial.set_user_attr("val_loss", score["val_loss"])
        if self.folds > 1:
            trial.set_user_attr("spread", score["spread"])
            trial.set_user_attr("fold_values", score["folds"])
            trial.set_user_attr("best_epochs", [r["epoch"] for r in rows])
        study.tell(trial, score["value"])
        return score

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


def interrupted(trial: int | None, study, where: str) -> TrainingStopped:
    during = f" during trial {trial}" if trial is not None else ""
    err = TrainingStopped(
        f"tuning interrupted{during}; {finished(study)} finished trials are kept in {where}",
        "run the same command again to continue the study",
    )
    err.exit_code = 130
    return err
