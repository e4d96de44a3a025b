"""The model card's sections on training: data and preprocessing, procedure, calibration, limits.

Each function takes config.json's contents and returns the section's Markdown lines.
"""

from __future__ import annotations

from neuroflow._version import __version__
from neuroflow.models.describe import classes, counted

SETTING_WORDS = [
    ("optimizer", "optimizer"),
    ("lr", "learning rate"),
    ("batch_size", "batch size"),
    ("epochs", "epochs asked for"),
    ("epochs_run", "epochs run"),
    ("early_stopping", "early stopping patience (epochs)"),
    ("schedule", "learning-rate schedule"),
    ("weight_decay", "weight decay"),
    ("label_smoothing", "label smoothing"),
    ("outlier_exposure", "outlier exposure (weight of made-up non-examples)"),
    ("augment", "augmentation"),
    ("seed", "seed"),
    ("wall_time_s", "wall time (s)"),
    ("threads", "CPU threads"),
    ("world_size", "processes (distributed training's world size)"),
    ("machine", "machine"),
]


def data_lines(config: dict) -> list[str]:
    dataset, prep = config.get("dataset", {}), config["preprocessing"]
    name = dataset.get("name", "unknown")
    out = [f"Dataset: **{name}** — {dataset.get('description', '').removeprefix(f'{name}: ')}."]
    source = dataset.get("source", {})
    if "seed" in source:
        fractions = source.get("fractions")
        share = (
            f" ({1 - sum(fractions):.0%} / {fractions[0]:.0%} / {fractions[1]:.0%})"
            if fractions
            else ""
        )
        out.append(
            f"Split into train / validation / test{share} with seed {source['seed']}; every "
            "preprocessing number was fitted on the training split only."
        )
    out.append("")
    if prep.get("type") == "table":
        out += ["| column | kind | how it enters the model |", "|---|---|---|"]
        out += [_column_row(c) for c in prep["columns"]]
        target = prep.get("target")
        if prep.get("task") == "regression":
            out += [
                "",
                f"Target {target!r} standardised with mean {prep['target_mean']:.4g} and std "
                f"{prep['target_std']:.4g} (undone at prediction).",
            ]
        elif target:
            out += ["", f"Target: {target!r}, classes {classes(config)}."]
    else:
        how = {
            "digit": "greyscale, polarity, cropped and centred like MNIST digits",
            "digit-counts": "cropped to the ink, filling a 32×32 bitmap and counted in 4×4 "
            "blocks like the 8×8 digits",
        }.get(prep.get("prepare"), "resized")
        out.append(
            f"Pictures: {prep.get('height')}×{prep.get('width')}×{prep.get('channels')} uint8 "
            f"pixels, scaled by {prep.get('scale', 1 / 255):.6g} inside the model's input step; "
            f"your own pictures are {how} first (skip with `--no-preprocess`)."
        )
    if config.get("training", {}).get("augment"):
        out.append(f"Augmentation during training: {config['training']['augment']}.")
    return out


def _column_row(c: dict) -> str:
    if c["kind"] == "numeric":
        how = f"(x − {c['mean']:.4g}) / {c['std']:.4g}; a blank becomes the mean"
    else:
        cats = c["categories"]
        listed = ", ".join(map(str, cats[:8])) + (", …" if len(cats) > 8 else "")
        how = f"one-hot over {counted(len(cats), 'category', 'categories')} ({listed}); "
        how += "unseen ones become all zeros"
    if c.get("missing_indicator"):
        how += "; plus a 0/1 'is missing' column"
    return f"| {c['name']} | {c['kind']} | {how} |"


def procedure_lines(config: dict, history: list[dict]) -> list[str]:
    training = config.get("training", {})
    out = ["| setting | value |", "|---|---|"]
    for key, words in SETTING_WORDS:
        value = training.get(key)
        if value in (None, 0.0) and key in (
            "early_stopping",
            "weight_decay",
            "label_smoothing",
            "outlier_exposure",
            "schedule",
            "augment",
        ):
            continue
        if value is not None:
            out.append(f"| {words} | {value} |")
    # a folder records the version that saved it; a model still in memory is this version's
    out.append(f"| trained with | neuroflow {config.get('neuroflow_version', __version__)} |")
    if history:
        last = history[-1]
        figures = ", ".join(
            f"{k} {v:.4g}"
            for k, v in last.items()
            if k not in ("epoch", "time_s", "train_time_s") and isinstance(v, int | float)
        )
        out += [
            "",
            f"Last epoch ({last.get('epoch')}): {figures}. Per-epoch figures are in "
            "`history.json`.",
            "",
            "![loss curve](loss_curve.png)",
        ]
    return out + _calibration(config.get("calibration"))


def _calibration(calibration: dict | None) -> list[str]:
    """Fitted after training, so the card says it from the start, not only after `evaluate`."""
    calibration = calibration or {}
    if calibration.get("reason"):
        return [
            "",
            "Probabilities are as trained, not rescaled by temperature scaling: "
            f"{calibration['reason']}.",
        ]
    before, after = (
        calibration.get("validation_before", {}),
        calibration.get("validation_after", {}),
    )
    if "ece" in before and "ece" in after:
        return [
            "",
            "Probabilities are calibrated by temperature scaling: T = "
            f"{calibration['temperature']:.3f}, fitted on the "
            f"{calibration.get('fitted_on', 'validation split')}; "
            f"validation ECE {before['ece']:.3f} before, {after['ece']:.3f} after.",
        ]
    return []


def limitations_lines(config: dict) -> list[str]:
    name = config.get("dataset", {}).get("name", "its dataset")
    out = [
        f"- Intended for inputs like its training data ({name}): learning, trying ideas, and "
        "predictions where a mistake is cheap and a person checks the result."
    ]
    if config["kind"] == "table":
        prep = config["preprocessing"]
        unseen = (
            "; categories it never saw (they become all zeros, so the answer rests on the other "
            "columns)"
            if any(c["kind"] == "category" for c in prep["columns"])
            else ""
        )
        out.append(
            "- Not trained on: rows without the columns "
            f"{', '.join(c['name'] for c in prep['columns'])}; values far outside the training "
            f"ranges{unseen}."
        )
    else:
        prep = config["preprocessing"]
        out.append(
            f"- Not trained on: anything but {prep.get('height')}×{prep.get('width')} pictures of "
            f"{classes(config) if config.get('class_names') else 'its targets'}; "
            "photos, other objects or other drawing styles are outside what it has seen."
        )
    if config["task"] == "classification":
        out.append(
            "- A classifier always answers with one of its classes, even for an input that is none "
            "of them"
            ' (the lessons\' "what digit is this dog?").'
        )
    out += _unknown_check_lines(config.get("ood"))
    out.append(
        "- The figures above come from one split of one dataset; on data collected differently, "
        "expect them to be lower."
    )
    return out


def _unknown_check_lines(check: dict | None) -> list[str]:
    """What the unknown-input check promises, and its figures against made-up unknown inputs."""
    if not check:
        return []
    out = []
    out.append(
        f"- Unknown-input check: {check.get('method')} score, threshold set to accept "
        f"{check.get('target_accept', 0.95):.0%} of validation inputs;"
        " `neuroflow predict --reject` answers 'unknown' past it. It travels in the model "
        "folder, not in an ONNX export."
    )
    if "validation_inputs" in check:
        n, q = check["validation_inputs"], check.get("target_accept", 0.95)
        promise = (
            f"on average {q:.0%} of new known inputs are accepted"
            if check.get("tight", True)
            else f"with only {n} validation inputs, only {n / (n + 1):.0%} can be promised"
        )
        out.append(
            f"  - The threshold is the ⌈(n+1)·q⌉-th smallest of n = {n} validation scores, "
            f"so {promise}."
        )
    for other, figures in check.get("reports", {}).items():
        out.append(
            f"  - against {other}: AUROC {figures['auroc']:.3f}, FPR at 95% TPR "
            f"{figures['fpr_at_95_tpr']:.3f}"
        )
    return out
