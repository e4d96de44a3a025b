"""neuroflow's scikit-learn estimators against scikit-learn's own on its bundled tables.

5-fold cross-validation (the same folds for every model) on wine, breast cancer, digits, diabetes,
and a 5,000-row sample of California housing when its file is already in scikit-learn's data home
(never downloaded): accuracy or R² and fit time, beside MLP*, LogisticRegression/Ridge and
HistGradientBoosting*. Writes the section "scikit-learn's tables" into RESULTS.md.

python -m benchmarks.sklearn_tables [--no-write]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
SECTION = "## scikit-learn's tables: neuroflow's estimators beside scikit-learn's"
FOLDS = 5
CALIFORNIA_ROWS = 5000


def _tables() -> tuple[list[tuple[str, object, object, bool]], list[str]]:
    """(name, X, y, is classification) for each table on disk, and notes on those left out."""
    from sklearn import datasets

    tables = [
        ("wine", *datasets.load_wine(return_X_y=True), True),
        ("breast cancer", *datasets.load_breast_cancer(return_X_y=True), True),
        ("digits", *datasets.load_digits(return_X_y=True), True),
        ("diabetes", *datasets.load_diabetes(return_X_y=True), False),
    ]
    home = Path(datasets.get_data_home())
    if (home / "cal_housing_py3.pkz").exists():  # fetch would download it otherwise
        import numpy as np

        x, y = datasets.fetch_california_housing(return_X_y=True, download_if_missing=False)
        rows = np.random.default_rng(0).choice(len(x), CALIFORNIA_ROWS, replace=False)
        tables.append((f"California housing ({CALIFORNIA_ROWS:,} rows)", x[rows], y[rows], False))
        return tables, []
    return tables, [
        f"California housing is left out: its file is not in scikit-learn's data home ({home}), "
        "and this benchmark does not download it."
    ]


def _models(classification: bool) -> dict[str, object]:
    """The models compared, as a user would write them: scikit-learn's scaled where they need it."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from neuroflow.sklearn import NeuroflowClassifier, NeuroflowRegressor

    if classification:
        return {
            "neuroflow": NeuroflowClassifier(random_state=0),
            "MLP": make_pipeline(StandardScaler(), MLPClassifier(random_state=0)),
            "linear": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
            "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
        }
    return {
        "neuroflow": NeuroflowRegressor(random_state=0),
        "MLP": make_pipeline(StandardScaler(), MLPRegressor(random_state=0)),
        "linear": make_pipeline(StandardScaler(), Ridge()),
        "HistGradientBoosting": HistGradientBoostingRegressor(random_state=0),
    }


def _warm_up(tables) -> None:
    """Fit every model once on a few rows, so that no fold's time includes importing torch or a
    library's first-call set-up."""
    for _, x, y, classification in tables:
        for model in _models(classification).values():
            with warnings.catch_warnings(), threadpool_limits(1):
                warnings.simplefilter("ignore")
                model.fit(x[::4], y[::4])


def _cross_validate(model, x, y, classification: bool) -> dict:
    from sklearn.model_selection import KFold, StratifiedKFold, cross_validate

    kind = StratifiedKFold if classification else KFold
    # One thread each, as neuroflow trains a table: on a machine others share, BLAS and OpenMP
    # threads that wait for each other turned seconds into minutes (MLP 48 s a fold on digits).
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")  # MLP's "not converged" at its default max_iter
        result = cross_validate(model, x, y, cv=kind(FOLDS, shuffle=True, random_state=0))
    scores = result["test_score"]
    return {"mean": scores.mean(), "std": scores.std(), "fit_s": result["fit_time"].mean()}


def section(say) -> None:
    """Cross-validate every model on every table; say the section's lines."""
    from neuroflow import __version__

    tables, notes = _tables()
    _warm_up(tables)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    rows, met = [], 0
    for name, x, y, classification in tables:
        results = {
            m: _cross_validate(est, x, y, classification)
            for m, est in _models(classification).items()
        }
        best = max(results, key=lambda m: results[m]["mean"])
        ours, mlp = results["neuroflow"], results["MLP"]
        close = ours["mean"] >= results[best]["mean"] - results[best]["std"]
        ratio = ours["fit_s"] / mlp["fit_s"]
        met += close and ratio <= 3
        cells = [f"{r['mean']:.3f} ± {r['std']:.3f} ({r['fit_s']:.2f} s)" for r in results.values()]
        metric = "accuracy" if classification else "R²"
        rows.append(
            f"| {name} | {x.shape[0]} × {x.shape[1]} | {metric} | " + " | ".join(cells)
            + f" | {best} | {'yes' if close else 'no'} | {ratio:.1f}× |"
        )  # fmt: skip
    load_after = os.getloadavg()[0]
    say(SECTION)
    say("")
    say(
        f"Command: `python -m benchmarks.sklearn_tables` (also in `make bench`); "
        f"{time.strftime('%Y-%m-%d %H:%M')}, neuroflow {__version__}, {os.cpu_count()} cores; "
        f"{time.perf_counter() - t0:.0f} s in all, load average (1 min) {load_before:.1f} before "
        f"and {load_after:.1f} after: the machine is shared, so fit times move with it, and the "
        "models of one table run one after another within a few minutes of each other."
    )
    say("")
    say(
        f"{FOLDS}-fold cross-validation, the same shuffled folds (seed 0, stratified for classes) "
        "for every model; each cell is the mean ± standard deviation of the folds' test scores "
        "and, in brackets, the mean fit time of a fold. neuroflow is NeuroflowClassifier / "
        "NeuroflowRegressor with their defaults (table-mlp: Dense 64 relu, Dropout 0.5; 50 "
        "epochs, batch 200, lr 0.01) on the raw columns, which neuroflow standardises itself; "
        "scikit-learn's MLP* (defaults) and LogisticRegression (max_iter=1000) / Ridge follow a "
        "StandardScaler; HistGradientBoosting* with defaults. MLPRegressor standardises X but, "
        "as its defaults do, not y. Goal: neuroflow's mean within one standard deviation (of the "
        "best model's folds) of the best mean, at ≤ 3× MLP's fit time. Every model runs on one "
        "thread (threadpoolctl for scikit-learn's BLAS and OpenMP; neuroflow trains tables on "
        "one torch thread) after one fit on a quarter of each table, so that fit times hold no "
        "imports or first-call set-up."
    )
    say("")
    say(
        "| table | rows × columns | score | neuroflow | MLP | LogisticRegression / Ridge | "
        "HistGradientBoosting | best | neuroflow within 1 sd of the best | neuroflow fit time "
        "/ MLP's |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        say(row)
    say("")
    say(f"Goal met on {met} of {len(rows)} tables (both parts: the score and the fit time).")
    for note in notes:
        say("")
        say(note)
    say("")


def write(lines: list[str], out: Path) -> None:
    """Put the section into RESULTS.md in place of its last version (else at the end)."""
    text = out.read_text() if out.exists() else ""
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line == SECTION
        if not skipping:
            kept.append(line)
    body = "\n".join(kept).rstrip("\n")
    out.write_text(body + "\n\n" + "\n".join(lines).rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    lines = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    section(say)
    if not args.no_write:
        write(lines, Path(args.out))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
