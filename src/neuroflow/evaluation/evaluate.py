"""`evaluate`: a model's figures on its held-back test split or on data the user brings.

Writes the confusion matrix (or predicted-vs-true) PNG; the model card is refreshed with the figures
by `neuroflow.models.writer`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.errors import DataError


def reload_dataset(model, data_dir: str | None = None):
    """The dataset the model was trained on, split as it was (same source, same seed)."""
    from neuroflow.data import load_dataset

    source = model.config.get("dataset", {}).get("source", {})
    where = source.get("path") or source.get("name")
    if not where:
        raise DataError(
            "the model does not record where its training data came from",
            "pass the data to evaluate on: neuroflow evaluate MODEL DATA",
        )
    if source.get("path") and not Path(source["path"]).exists():
        raise DataError(
            f"the training data {source['path']} is no longer there",
            "pass the data to evaluate on: neuroflow evaluate MODEL DATA",
        )
    prep = model.preprocessing
    size = (prep["height"], prep["width"]) if prep.get("type") == "image" else None
    ds = load_dataset(
        where,
        target=source.get("target"),
        task=source.get("task"),
        seed=source.get("seed", 0),
        data_dir=data_dir or source.get("data_dir"),
        image_size=size,
        grayscale=prep.get("channels") == 1 if size else None,
    )
    if source.get("inverted_test"):
        invert_test_split(ds)
    return ds


def invert_test_split(ds) -> None:
    """The lesson's INVERT applied to the test split too: each test image and its inverted copy."""
    from neuroflow.data.pictures.augment import add_inverted

    ds.x_test, ds.y_test = add_inverted(ds.x_test, ds.y_test)
    ds.source["inverted_test"] = True


def evaluation_arrays(
    model, data: str | None = None, data_dir: str | None = None
) -> tuple[np.ndarray, np.ndarray, str]:
    """(x, y, description): the training data's test split, or all of a CSV / image folder given."""
    from neuroflow.data.registry import builtin_name

    if data is None or builtin_name(data):
        if data is not None and str(data).lower() != model.config.get("dataset", {}).get("name"):
            from neuroflow.data import load_dataset

            ds = load_dataset(str(data), data_dir=data_dir, seed=0)
        else:
            ds = reload_dataset(model, data_dir)
        _check_classes(model, ds.class_names)
        return ds.x_test, ds.y_test, f"{ds.name} test split ({len(ds.y_test)} examples)"
    path = Path(data)
    if model.kind == "table":
        from neuroflow.data.tables.prepare import encode_target, read_csv, transform

        df = read_csv(path)
        target = model.preprocessing["target"]
        if target not in df.columns:
            raise DataError(
                f"{path} has no column {target!r} to compare the predictions with",
                f"add the {target!r} column",
            )
        df = df[df[target].notna()]
        names = model.class_names
        if model.task == "classification":
            unknown = set(
                df[target].map(
                    lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                )
            ) - set(names)
            if unknown:
                raise DataError(
                    f"{path} has classes the model never saw: {', '.join(sorted(unknown)[:5])}",
                    f"the model knows: {', '.join(names)}",
                )
        return (
            transform(df, model.preprocessing),
            encode_target(df[target], model.preprocessing, names),
            f"{path.name} ({len(df)} rows)",
        )
    from neuroflow.data.pictures.folders import load_labelled_images

    x, y = load_labelled_images(path, model.preprocessing, model.class_names)
    return x, y, f"{path.name} ({len(y)} images)"


def _check_classes(model, class_names) -> None:
    if model.task == "classification" and class_names != model.class_names:
        raise DataError(
            "the data's classes differ from the model's",
            f"the model knows: {', '.join(model.class_names)}",
        )


def evaluate(
    model,
    data=None,
    *,
    data_dir: str | None = None,
    out: str | Path | None = None,
    update_card: bool = True,
) -> dict:
    """Figures and pictures for `model` on `data` (default: its held-back test split)."""
    if out is not None:
        from neuroflow.files import check_folder

        check_folder(Path(out))  # before the work, so a bad --out wastes nothing
    if data is not None and not isinstance(data, str | Path):  # a Dataset object
        x, y, what = (
            data.x_test,
            data.y_test,
            f"{data.name} test split ({len(data.y_test)} examples)",
        )
    else:
        x, y, what = evaluation_arrays(model, data, data_dir)
    if len(y) == 0:
        raise DataError(
            "there is nothing to evaluate on (0 rows)", "give data with at least one row"
        )
    logits = model.logits(x)
    out_dir = Path(out) if out else model.path
    report: dict = {"model": model.config.get("name"), "data": what, "task": model.task}
    if model.task == "classification":
        report |= _classification(model, x, y, logits, out_dir)
        summary = {k: report[k] for k in ("accuracy", "nll", "brier", "ece")}
    else:
        report |= _regression(model, y, logits, out_dir)
        summary = {k: report[k] for k in ("mae", "rmse", "r2")}
    if update_card and model.path is not None and out_dir == model.path:
        from neuroflow.models.writer import update_card as record

        record(model, summary)
    return report


def _classification(model, x, y, logits, out_dir: Path | None) -> dict:
    from neuroflow.evaluation import metrics, plots
    from neuroflow.models.logits import softmax

    probs = model.probabilities(logits=logits)
    report = metrics.classification_metrics(y, probs, model.class_names)
    if model.temperature != 1.0:
        report["uncalibrated"] = metrics.calibration_figures(softmax(logits), y)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        report["confusion_matrix_png"] = str(
            plots.confusion_matrix_png(
                report["confusion_matrix"], model.class_names, out_dir / "confusion_matrix.png"
            )
        )
        if model.kind == "image":
            report["wrong_png"] = _wrong_grid(
                x, y, probs, model.class_names, out_dir / "most_confident_wrong.png"
            )
    return report


def _regression(model, y, logits, out_dir: Path | None) -> dict:
    from neuroflow.evaluation import metrics, plots

    prep = model.preprocessing
    y_pred = logits[:, 0] * prep["target_std"] + prep["target_mean"]
    y_true = y * prep["target_std"] + prep["target_mean"]
    report = metrics.regression_metrics(y_true, y_pred)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        report["predicted_vs_true_png"] = str(
            plots.predicted_vs_true_png(y_true, y_pred, out_dir / "predicted_vs_true.png")
        )
    return report


def _wrong_grid(x, y, probs, class_names, path) -> str | None:
    from neuroflow.plotting.grids import image_grid_png

    pred = probs.argmax(1)
    wrong = np.flatnonzero(pred != y)
    if len(wrong) == 0:
        return None
    worst = wrong[np.argsort(-probs[wrong, pred[wrong]])][:24]
    captions = [
        f"true {class_names[y[i]]}\nsaid {class_names[pred[i]]} {probs[i, pred[i]]:.0%}"
        for i in worst
    ]
    # as lists, so that the helper process draws them (an array would be drawn here)
    return str(
        image_grid_png(x[worst].tolist(), captions, path, "Most confidently wrong test images")
    )
