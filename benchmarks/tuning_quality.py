"""Does `neuroflow tune` pick a model that is better on the test split than the untuned recipe?

For each dataset and seed (the seed also draws the split): the recipe trained as it is, the best of
TRIALS trials scored on the validation split alone (--folds 1), and the best scored by 5-fold cross-
validation on train + validation and trained again on both (the default for small tables). Test
accuracy of each; the test split is never seen by the search. Run: NEUROFLOW_THREADS=1
.venv/bin/python -m benchmarks.tuning_quality [--data iris survey] [--seeds 5] [--trials 12]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path


def survey_csv(folder: Path) -> Path:
    """The field-survey table of the tests (330 rows, three species, blanks, text categories)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.tables import survey_table

    path = folder / "survey.csv"
    survey_table().to_csv(path, index=False)
    return path


def one_seed(data: str, target: str | None, seed: int, trials: int) -> dict:
    import neuroflow as nf

    ds = nf.load_dataset(data, target=target, seed=seed)
    row = {"seed": seed}
    t = time.perf_counter()
    plain = nf.train(ds, seed=seed, progress="quiet")
    row["untuned"] = nf.evaluate(plain, ds)["accuracy"]
    for label, folds in (("split", 1), ("cv", None)):
        result = nf.tune(ds, trials=trials, seed=seed, folds=folds, progress="quiet")
        best = result.summary["best"]
        row[label] = nf.evaluate(result.best_model, ds)["accuracy"]
        row[f"{label}_val"] = best["value"]
        row[f"{label}_val_sd"] = best.get("spread")
    row["time_s"] = round(time.perf_counter() - t, 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=["iris", "survey"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = {"iris": ("iris", None), "survey": (str(survey_csv(Path(tmp))), "species")}
        results = {}
        for name in args.data:
            data, target = sources[name]
            rows = []
            for seed in range(args.seeds):
                rows.append(one_seed(data, target, seed, args.trials))
                print(json.dumps({name: rows[-1]}), file=sys.stderr, flush=True)
            results[name] = rows
    print(f"test accuracy, {args.seeds} seeds × {args.trials} trials (mean; per seed)")
    print("| data | untuned recipe | tuned on the validation split | tuned by 5-fold CV |")
    print("|---|---|---|---|")
    for name, rows in results.items():
        cells = [
            f"{statistics.fmean(r[k] for r in rows):.3f} ({', '.join(f'{r[k]:.3f}' for r in rows)})"
            for k in ("untuned", "split", "cv")
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
