"""What a tuning run leaves behind: the trials table, the summary, two PNGs, the best spec and the
best model folder.

Every worker writes the same files from the shared study, one at a time under a lock file in the
output folder.
"""

from __future__ import annotations

from pathlib import Path

METRICS = {"val_accuracy": "maximize", "val_loss": "minimize", "val_mae": "minimize"}


def counts(study) -> dict[str, int]:
    out = {"complete": 0, "pruned": 0, "fail": 0, "running": 0, "waiting": 0}
    for t in study_trials(study):
        out[t.state.name.lower()] += 1
    return out


def study_trials(study) -> list:
    """The study's trials but those a worker stood down from before running them (see
    neuroflow.tuning.study.stand_down)."""
    return [t for t in study.get_trials(deepcopy=False) if not t.user_attrs.get("surplus")]


def finished(study) -> int:
    c = counts(study)
    return c["complete"] + c["pruned"]


def best_trial(study, metric: str):
    """The completed trial with the best metric; ties (common for accuracy on a small split) go to
    the lower val_loss."""
    from optuna.trial import TrialState

    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not done:
        return None
    sign = 1 if METRICS[metric] == "maximize" else -1
    return max(done, key=lambda t: (sign * t.value, -t.user_attrs.get("val_loss", 0.0), -t.number))


def summarise(
    study,
    metric: str,
    space_text: dict,
    trials: int,
    ran: list[int],
    stopped: str,
    where: str,
    wall_s: float,
) -> dict:
    """The run as summary.json holds it; `trials` is the table, one row per trial of the whole
    study."""
    best = best_trial(study, metric)
    return {
        "study": study.study_name,
        "storage": where,
        "metric": metric,
        "direction": METRICS[metric],
        "trials_asked": trials,
        "counts": counts(study),
        "ran_here": ran,
        "stopped": stopped,
        "wall_time_s": round(wall_s, 2),
        "best": {
            "trial": best.number,
            "value": best.value,
            "params": best.user_attrs.get("values", best.params),
        }
        if best
        else None,
        "space": space_text,
        "trials": trial_rows(study, metric, list(space_text)),
    }


def trial_rows(study, metric: str, names: list[str]) -> list[dict]:
    """Number, state, metric (a pruned trial's last reported one), the trial's values, epochs run
    and seconds."""
    rows = []
    for t in study_trials(study):
        value = (
            t.value
            if t.value is not None
            else t.intermediate_values[max(t.intermediate_values)]
            if t.intermediate_values
            else None
        )
        values = t.user_attrs.get("values", t.params)
        rows.append(
            {
                "trial": t.number,
                "state": t.state.name.lower(),
                metric: value,
                **{k: values.get(k) for k in names},
                "epochs_run": t.user_attrs.get("epochs_run"),
                "time_s": round(t.duration.total_seconds(), 2) if t.duration else None,
            }
        )
    return rows


def write_results(out: Path, study, summary: dict, best, dataset, seed: int) -> None:
    """trials.csv, summary.json, the PNGs, best-spec.yaml and best-model/ (with its test figures),
    under a lock."""
    import yaml
    from optuna.storages.journal import JournalFileOpenLock

    from neuroflow.evaluation.evaluate import evaluate
    from neuroflow.files import write_json, write_text

    lock = JournalFileOpenLock(
        str(out / "results"), grace_period=600
    )  # an O_EXCL lock file: works on every OS
    lock.acquire()
    try:
        files = {
            "trials": "trials.csv",
            "summary": "summary.json",
            "history_png": history_png(summary, out / "optimization_history.png").name,
        }
        summary["importances"] = param_importances(study, seed)
        if summary["importances"]:
            files["importances_png"] = importances_png(
                summary["importances"], out / "param_importances.png"
            ).name
        write_text(out / "trials.csv", _csv(summary["trials"]))
        if best is not None:
            write_text(out / "best-spec.yaml", yaml.safe_dump(best.spec, sort_keys=False))
            best.save(out / "best-model")
            report = evaluate(best, dataset)  # the card's test figures, as after `neuroflow train`
            summary["best"]["test"] = {
                k: report[k] for k in ("accuracy", "mae", "r2") if k in report
            }
            files |= {"best_model": "best-model", "best_spec": "best-spec.yaml"}
        summary["files"] = {k: str(out / v) for k, v in files.items()}
        write_json(out / "summary.json", summary)
    finally:
        lock.release()


def param_importances(study, seed: int) -> dict[str, float] | None:
    """fANOVA importances of the varied parameters; None until two completed trials differ."""
    import optuna

    try:
        found = optuna.importance.get_param_importances(
            study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=seed)
        )
    except (RuntimeError, ValueError, ZeroDivisionError):
        return None
    return {k: round(float(v), 4) for k, v in found.items()} or None


def history_png(summary: dict, path: Path) -> Path:
    from neuroflow.plotting.figures import pyplot, save_figure

    plt, metric, rows = pyplot(), summary["metric"], summary["trials"]
    fig, ax = plt.subplots(figsize=(7, 4))
    done = [(r["trial"], r[metric]) for r in rows if r["state"] == "complete"]
    pruned = [
        (r["trial"], r[metric]) for r in rows if r["state"] == "pruned" and r[metric] is not None
    ]
    if done:
        ax.plot(*zip(*done, strict=True), "o", label="completed trial")
        pick = max if summary["direction"] == "maximize" else min
        ax.step(
            [k for k, _ in done],
            [pick(v for n, v in done if n <= k) for k, _ in done],
            where="post",
            color="C3",
            label="best so far",
        )
    if pruned:
        ax.plot(*zip(*pruned, strict=True), "x", color="grey", label="pruned (last reported value)")
    ax.set(xlabel="trial", ylabel=metric, title=f"Optimisation history: {summary['study']}")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    if done or pruned:
        ax.legend()
    return save_figure(fig, path)


def importances_png(importances: dict[str, float], path: Path) -> Path:
    from neuroflow.plotting.figures import pyplot, save_figure

    plt = pyplot()
    names = list(importances)[::-1]
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(names) + 1.2))
    ax.barh(names, [importances[n] for n in names], color="C0")
    ax.set(
        xlabel="importance (fANOVA: share of the metric's variance)",
        title="Hyperparameter importances",
    )
    ax.grid(alpha=0.3, axis="x")
    return save_figure(fig, path)


def _csv(rows: list[dict]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(rows[0]) if rows else ["trial"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


__all__ = ["best_trial", "counts", "finished", "summarise", "trial_rows", "write_results"]
