"""The model card (README.md of a model folder): YAML front matter for model hubs, then plain words.

Written at training, refreshed by `evaluate`; every figure in it comes from config.json and history.json.
"""

from __future__ import annotations

METRIC_WORDS = {
    "accuracy": "share of test examples classified correctly (higher is better)",
    "nll": "negative log-likelihood of the true class (lower is better)",
    "brier": "Brier score, squared error of the probabilities (lower is better)",
    "ece": "expected calibration error: how far confidence is from accuracy (lower is better)",
    "mae": "mean absolute error, in the target's units (lower is better)",
    "rmse": "root mean squared error, in the target's units (lower is better)",
    "r2": "R², share of the target's variance explained (1 is perfect)",
}
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
    ("augment", "augmentation"),
    ("seed", "seed"),
    ("wall_time_s", "wall time (s)"),
    ("threads", "CPU threads"),
    ("world_size", "processes (distributed training's world size)"),
    ("machine", "machine"),
]


def summary_of(config: dict, network=None) -> list[dict]:
    """The layer rows: config["summary"] when saved by this neuroflow, else measured on the network."""
    if config.get("summary"):
        return config["summary"]
    if network is None:
        return []
    from neuroflow.models.store import summary_rows

    return summary_rows(network)


def front_matter(config: dict) -> str:
    import yaml

    kind, task = config["kind"], config["task"]
    pipeline = f"{'tabular' if kind == 'table' else 'image'}-{task}"
    meta = {
        "library_name": "neuroflow",
        "license": config.get("license") or "other",
        "pipeline_tag": pipeline,
        "tags": ["neuroflow", kind, task, pipeline],
        "datasets": [config.get("dataset", {}).get("name", "unknown")],
    }
    parent = config.get("lineage", {}).get("parent")
    if parent:
        meta["base_model"] = parent.get("name")
    metrics = [
        {"name": k, "value": round(float(v), 4)}
        for k, v in config.get("metrics", {}).items()
        if isinstance(v, int | float)
    ]
    if metrics:
        meta["metrics"] = metrics
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def model_card(model) -> str:
    """The whole README.md for `model` (a Model; its network is used only for folders without a summary)."""
    return card_text(model.config, model.history, getattr(model, "network", None))


def card_text(config: dict, history: list[dict] | None = None, network=None) -> str:
    rows = summary_of(config, network)
    total = sum(r["params"] for r in rows)
    frozen = config.get("training", {}).get("frozen_parameters", 0)
    lines = [
        front_matter(config),
        f"# {config.get('name', 'neuroflow model')}",
        "",
        _one_line(config),
        "",
    ]
    lines += [
        "## What the model is",
        "",
        "| layer | type | output shape | parameters |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['name']} | {r['type']} | {' × '.join(map(str, r['output_shape']))} | {r['params']:,} |"
        for r in rows
    ]
    lines += [
        "",
        f"Parameters: {total:,}"
        + (f", of which {frozen:,} were frozen during fine-tuning." if frozen else "."),
    ]
    lines += [f"Input: {_describe_input(config)}.", f"Output: {_describe_output(config)}."]
    weights = config.get("weights", {})
    if weights.get("sha256"):
        lines.append(
            f"Weights: `{weights.get('file')}` (safetensors), sha256 `{weights['sha256']}`."
        )
    lines += [
        "",
        *_lineage(config),
        *_search(config),
        "## Training data and preprocessing",
        "",
        *_data(config),
        "",
    ]
    lines += ["## Training procedure", "", *_procedure(config, history or []), ""]
    lines += ["## Evaluation results", "", *_evaluation(config), ""]
    lines += ["## Intended use and limitations", "", *_limitations(config), ""]
    lines += ["## How to use", "", *_usage(config), ""]
    lines += ["## License", "", _license(config)]
    return "\n".join(lines) + "\n"


def _one_line(config: dict) -> str:
    what = "classifier" if config["task"] == "classification" else "regression model"
    kind = "table" if config["kind"] == "table" else "image"
    goal = (
        f"tells {_classes(config)} apart"
        if config["task"] == "classification"
        else f"predicts {config['preprocessing'].get('target') or 'a number'}"
    )
    return f"A {kind} {what} that {goal}, trained on {config.get('dataset', {}).get('name', 'its data')} with neuroflow {config.get('neuroflow_version', '')}."


def _classes(config: dict) -> str:
    names = config.get("class_names") or []
    if len(names) > 12:
        return f"{len(names)} classes ({', '.join(names[:10])}, …)"
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else ", ".join(names)


def _describe_input(config: dict) -> str:
    prep = config["preprocessing"]
    if prep.get("type") == "table":
        return f"one table row of {len(prep['columns'])} columns ({', '.join(c['name'] for c in prep['columns'])}), raw as in the training CSV"
    return f"a picture, prepared to {prep.get('height')}×{prep.get('width')} pixels with {prep.get('channels')} channel(s)"


def _describe_output(config: dict) -> str:
    if config["task"] == "classification":
        return (
            f"a probability for each of {len(config['class_names'])} classes ({_classes(config)})"
        )
    return f"one number, the predicted {config['preprocessing'].get('target') or 'target'}"


def _lineage(config: dict) -> list[str]:
    lineage = config.get("lineage", {})
    parent = lineage.get("parent")
    if not parent:
        return []
    head = "with a new output layer" if lineage.get("new_head") else "keeping its output layer"
    frozen = config.get("training", {}).get("frozen_parameters", 0)
    frozen_text = (
        f"; {frozen:,} parameters stayed frozen" if frozen else "; every layer was trained further"
    )
    return [
        "## Fine-tuned from",
        "",
        f"This model started from **{parent.get('name')}** (weights sha256 `{parent.get('sha256')}`), "
        f"copying {lineage.get('tensors_copied', 0)} weight tensors, {head}{frozen_text}.",
        "",
    ]


def _search(config: dict) -> list[str]:
    """The hyperparameter search that chose the settings, as `neuroflow tune` records it in config["tuning"]."""
    tuning = config.get("tuning")
    if not tuning:
        return []
    return [
        "## Hyperparameter search",
        "",
        f"The settings were chosen by `neuroflow tune`: trial {tuning['best_trial']} of {tuning['finished_trials']} finished trials "
        f"({tuning['pruned']} pruned early) in study **{tuning['study']}**, by {tuning['metric']} on the validation split ({tuning['value']:.4g}).",
        "",
        "| parameter | searched | chosen |",
        "|---|---|---|",
        *[
            f"| {k} | {tuning['space'].get(k, '')} | {v:.4g} |"
            if isinstance(v, float)
            else f"| {k} | {tuning['space'].get(k, '')} | {v} |"
            for k, v in tuning["params"].items()
        ],
        "",
        "The validation split chose these settings, so its figures flatter the model; the test split was not used in the search.",
        "",
    ]


def _data(config: dict) -> list[str]:
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
            f"Split into train / validation / test{share} with seed {source['seed']}; every preprocessing number was fitted on the training split only."
        )
    out.append("")
    if prep.get("type") == "table":
        out += ["| column | kind | how it enters the model |", "|---|---|---|"]
        for c in prep["columns"]:
            if c["kind"] == "numeric":
                how = f"(x − {c['mean']:.4g}) / {c['std']:.4g}; a blank becomes the mean"
            else:
                cats = c["categories"]
                listed = ", ".join(map(str, cats[:8])) + (", …" if len(cats) > 8 else "")
                how = (
                    f"one-hot over {len(cats)} categories ({listed}); unseen ones become all zeros"
                )
            if c.get("missing_indicator"):
                how += "; plus a 0/1 'is missing' column"
            out.append(f"| {c['name']} | {c['kind']} | {how} |")
        target = prep.get("target")
        if prep.get("task") == "regression":
            out += [
                "",
                f"Target {target!r} standardised with mean {prep['target_mean']:.4g} and std {prep['target_std']:.4g} (undone at prediction).",
            ]
        elif target:
            out += ["", f"Target: {target!r}, classes {_classes(config)}."]
    else:
        how = (
            "greyscale, polarity, cropped and centred like MNIST digits"
            if prep.get("prepare") == "digit"
            else "resized"
        )
        out.append(
            f"Pictures: {prep.get('height')}×{prep.get('width')}×{prep.get('channels')} uint8 pixels, scaled by {prep.get('scale', 1 / 255):.6g} inside the model's input step; "
            f"your own pictures are {how} first (skip with `--no-preprocess`)."
        )
    if config.get("training", {}).get("augment"):
        out.append(f"Augmentation during training: {config['training']['augment']}.")
    return out


def _procedure(config: dict, history: list[dict]) -> list[str]:
    training = config.get("training", {})
    out = ["| setting | value |", "|---|---|"]
    for key, words in SETTING_WORDS:
        value = training.get(key)
        if value in (None, 0.0) and key in (
            "early_stopping",
            "weight_decay",
            "label_smoothing",
            "schedule",
            "augment",
        ):
            continue
        if value is not None:
            out.append(f"| {words} | {value} |")
    if history:
        last = history[-1]
        figures = ", ".join(
            f"{k} {v:.4g}"
            for k, v in last.items()
            if k not in ("epoch", "time_s", "train_time_s") and isinstance(v, int | float)
        )
        out += [
            "",
            f"Last epoch ({last.get('epoch')}): {figures}. Per-epoch figures are in `history.json`.",
            "",
            "![loss curve](loss_curve.png)",
        ]
    return out + _calibration(config.get("calibration"))


def _calibration(calibration: dict | None) -> list[str]:
    """Fitted after training, so the card says it from the start, not only after `neuroflow evaluate`."""
    calibration = calibration or {}
    if calibration.get("reason"):
        return [
            "",
            f"Probabilities are as trained, not rescaled by temperature scaling: {calibration['reason']}.",
        ]
    before, after = (
        calibration.get("validation_before", {}),
        calibration.get("validation_after", {}),
    )
    if "ece" in before and "ece" in after:
        return [
            "",
            f"Probabilities are calibrated by temperature scaling: T = {calibration['temperature']:.3f}, fitted on the {calibration.get('fitted_on', 'validation split')}; "
            f"validation ECE {before['ece']:.3f} before, {after['ece']:.3f} after.",
        ]
    return []


def _evaluation(config: dict) -> list[str]:
    metrics = config.get("metrics", {})
    if not metrics:
        return [
            "Not evaluated yet: run `neuroflow evaluate` on this folder to fill in this section."
        ]
    out = [
        "Figures from the last `neuroflow evaluate` (by default on the held-back test split, never seen in training):",
        "",
        "| metric | value | meaning |",
        "|---|---|---|",
    ]
    out += [
        f"| {k} | {v:.4f} | {METRIC_WORDS.get(k, '')} |"
        if isinstance(v, float)
        else f"| {k} | {v} | {METRIC_WORDS.get(k, '')} |"
        for k, v in metrics.items()
    ]
    picture = (
        "![confusion matrix](confusion_matrix.png)"
        if config["task"] == "classification"
        else "![predicted vs true](predicted_vs_true.png)"
    )
    out += ["", picture]
    return out


def _limitations(config: dict) -> list[str]:
    name = config.get("dataset", {}).get("name", "its dataset")
    out = [
        f"- Intended for inputs like its training data ({name}): learning, trying ideas, and predictions where a mistake is cheap and a person checks the result."
    ]
    if config["kind"] == "table":
        prep = config["preprocessing"]
        unseen = (
            "; categories it never saw (they become all zeros, so the answer rests on the other columns)"
            if any(c["kind"] == "category" for c in prep["columns"])
            else ""
        )
        out.append(
            f"- Not trained on: rows without the columns {', '.join(c['name'] for c in prep['columns'])}; values far outside the training ranges{unseen}."
        )
    else:
        prep = config["preprocessing"]
        out.append(
            f"- Not trained on: anything but {prep.get('height')}×{prep.get('width')} pictures of {_classes(config) if config.get('class_names') else 'its targets'}; "
            "photos, other objects or other drawing styles are outside what it has seen."
        )
    if config["task"] == "classification":
        out.append(
            "- A classifier always answers with one of its classes, even for an input that is none of them"
            ' (the lessons\' "what digit is this dog?").'
        )
    ood = config.get("ood")
    if ood:
        out.append(
            f"- Unknown-input check: {ood.get('method')} score, threshold set to accept {ood.get('target_accept', 0.95):.0%} of validation inputs;"
            " `neuroflow predict --reject` answers 'unknown' past it. It travels in the model folder, not in an ONNX export."
        )
        for other, figures in ood.get("reports", {}).items():
            out.append(
                f"  - against {other}: AUROC {figures['auroc']:.3f}, FPR at 95% TPR {figures['fpr_at_95_tpr']:.3f}"
            )
    out.append(
        "- The figures above come from one split of one dataset; on data collected differently, expect them to be lower."
    )
    return out


def _usage(config: dict) -> list[str]:
    example = "rows.csv" if config["kind"] == "table" else "picture.png"
    return [
        "```",
        f"neuroflow predict MODEL {example:<19}# MODEL: this folder, its .zip bundle, or an exported .onnx",
        "neuroflow info MODEL                     # this card's essentials and the layer summary",
        "neuroflow export MODEL --format onnx     # for runtimes without neuroflow",
        "```",
        "",
        'In Python: `model = neuroflow.load("MODEL")`, then `neuroflow.predict(model, inputs)`. '
        "Loading checks the format version and the weights' sha256 and never runs code from the folder.",
    ]


def _license(config: dict) -> str:
    if config.get("license"):
        return f"{config['license']} (set by the author with `--license`)."
    return "Not stated by the author (train with `--license NAME` to record one); ask before reusing the model."


def info_text(config: dict) -> str:
    """The card's essentials and the Keras-style summary, from config.json alone (no torch)."""
    from neuroflow.models.spec import format_summary

    training, metrics = config.get("training", {}), config.get("metrics", {})
    ran = training.get("epochs_run", training.get("epochs"))
    settings = ", ".join(
        [str(training.get("optimizer", "?"))]
        + [
            f"{w} {training[k]}"
            for k, w in (("lr", "lr"), ("batch_size", "batch"), ("seed", "seed"))
            if k in training
        ]
    )
    rows = [
        ("model", _one_line(config)),
        ("format", f"{config.get('format')} version {config.get('format_version')}"),
        ("input", _describe_input(config)),
        ("output", _describe_output(config)),
        ("dataset", config.get("dataset", {}).get("description", "unknown")),
        (
            "training",
            f"{ran} epochs ({settings}), {training.get('wall_time_s', '?')} s on {training.get('machine', '?')}",
        ),
        (
            "metrics",
            ", ".join(
                f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items()
            )
            or "not evaluated yet (run 'neuroflow evaluate')",
        ),
    ]
    if config.get("calibration", {}).get("reason"):
        rows.append(("calibration", f"none: {config['calibration']['reason']}"))
    elif config.get("calibration"):
        rows.append(
            ("calibration", f"temperature scaling, T = {config['calibration']['temperature']:.3f}")
        )
    if config.get("ood"):
        rows.append(
            (
                "unknown check",
                f"{config['ood'].get('method')}, accepts {config['ood'].get('target_accept', 0.95):.0%} of validation inputs",
            )
        )
    parent = config.get("lineage", {}).get("parent")
    if parent:
        rows.append(
            ("fine-tuned from", f"{parent.get('name')} (weights sha256 {parent.get('sha256')})")
        )
    rows.append(("license", config.get("license") or "not stated"))
    weights = config.get("weights", {})
    rows.append(("weights", f"{weights.get('file')}, sha256 {weights.get('sha256')}"))
    width = max(len(k) for k, _ in rows) + 2
    lines = [f"{k:{width}}{v}" for k, v in rows]
    summary = config.get("summary")
    if summary:
        table = [
            (
                f"{r['name']} ({r['type']})",
                "(None, " + ", ".join(map(str, r["output_shape"])) + ")",
                r["params"],
            )
            for r in summary
        ]
        lines += ["", format_summary(table, title=f"Model: {config.get('name', 'neuroflow')}")]
    else:
        lines += [
            "",
            "layers: "
            + ", ".join(layer["type"] for layer in config.get("spec", {}).get("layers", []))
            + " (saved before summaries were recorded)",
        ]
    return "\n".join(lines)
