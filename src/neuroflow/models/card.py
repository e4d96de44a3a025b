"""The model card (README.md of a model folder): YAML front matter for model hubs, then plain words.

Written at training, refreshed by `evaluate`; every figure comes from config.json and history.json.
"""

from __future__ import annotations

from neuroflow.models.card_training import data_lines, limitations_lines, procedure_lines
from neuroflow.models.describe import counted, describe_input, describe_output, one_line

METRIC_WORDS = {
    "accuracy": "share of test examples classified correctly (higher is better)",
    "nll": "negative log-likelihood of the true class (lower is better)",
    "brier": "Brier score, squared error of the probabilities (lower is better)",
    "ece": "expected calibration error: how far confidence is from accuracy (lower is better)",
    "mae": "mean absolute error, in the target's units (lower is better)",
    "rmse": "root mean squared error, in the target's units (lower is better)",
    "r2": "R², share of the target's variance explained (1 is perfect)",
}

# the metric ids of the Hugging Face hub where one exists, and the names a reader sees
METRIC_TYPES = {"r2": "r_squared", "brier": "brier_score"}
METRIC_NAMES = {
    "accuracy": "Accuracy",
    "nll": "Negative log-likelihood",
    "brier": "Brier score",
    "ece": "Expected calibration error",
    "mae": "Mean absolute error",
    "rmse": "Root mean squared error",
    "r2": "R²",
}


def summary_of(config: dict, network=None) -> list[dict]:
    """The layer rows: config["summary"] if this neuroflow saved it, else measured on `network`."""
    if config.get("summary"):
        return config["summary"]
    if network is None:
        return []
    from neuroflow.models.config import summary_rows

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
    base = config.get("lineage", {}).get("pretrained")
    if base:  # the published network and the terms of its weights, which this model inherits
        meta["base_model"] = base["network"]
        meta["base_model_license"] = base["weights"]["licence"]
    results = model_index(config, pipeline)
    if results:
        meta["model-index"] = results
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def model_index(config: dict, task: str) -> list[dict]:
    """The figures as the Hugging Face card format reads them (huggingface_hub's EvalResult):
    a `model-index` of results, each a task, a dataset with its split, and metrics by type."""
    figures = [
        {"type": METRIC_TYPES.get(k, k), "value": round(float(v), 4), "name": METRIC_NAMES[k]}
        for k, v in config.get("metrics", {}).items()
        if isinstance(v, int | float) and k in METRIC_NAMES
    ]
    if not figures:
        return []
    dataset = config.get("dataset", {}).get("name", "unknown")
    result = {
        "task": {"type": task, "name": task.replace("-", " ").capitalize()},
        "dataset": {"name": dataset, "type": dataset, "split": "test"},
        "metrics": figures,
    }
    return [{"name": config.get("name", "neuroflow model"), "results": [result]}]


def model_card(model) -> str:
    """The whole README.md for `model` (its network is read only for folders without a summary)."""
    return card_text(model.config, model.history, getattr(model, "network", None))


def card_text(config: dict, history: list[dict] | None = None, network=None) -> str:
    name = config.get("name", "neuroflow model")
    lines = [front_matter(config), f"# {name}", "", one_line(config), ""]
    lines += ["## What the model is", "", *_what(config, network), ""]
    lines += [*_lineage(config), *_search(config)]
    lines += ["## Training data and preprocessing", "", *data_lines(config), ""]
    lines += ["## Training procedure", "", *procedure_lines(config, history or []), ""]
    lines += ["## Evaluation results", "", *_evaluation(config), ""]
    lines += ["## Intended use and limitations", "", *limitations_lines(config), ""]
    lines += ["## How to use", "", *_usage(config), ""]
    lines += ["## License", "", _license(config)]
    return "\n".join(lines) + "\n"


def _what(config: dict, network) -> list[str]:
    """The layer table, the parameter counts, the input and output, and the weights' checksum."""
    from neuroflow.models.summary import parameter_counts

    rows = summary_of(config, network)
    total = sum(r["params"] for r in rows)
    frozen = config.get("training", {}).get("frozen_parameters", 0)
    n = parameter_counts([(f"{r['name']} ({r['type']})", "", r["params"]) for r in rows], frozen)
    lines = ["| layer | type | output shape | parameters |", "|---|---|---|---|"]
    lines += [
        f"| {r['name']} | {r['type']} | {' × '.join(map(str, r['output_shape']))} | "
        f"{r['params']:,} |"
        for r in rows
    ]
    counts = f"Parameters: {total:,}."
    if frozen:
        stats = f", {n['statistics']:,} BatchNormalization statistics" if n["statistics"] else ""
        counts = (
            f"Parameters: {total:,} ({n['trainable']:,} trained, {frozen:,} frozen during "
            f"fine-tuning{stats})."
        )
    lines += ["", counts]
    lines += [f"Input: {describe_input(config)}.", f"Output: {describe_output(config)}."]
    weights = config.get("weights", {})
    if weights.get("sha256"):
        lines.append(
            f"Weights: `{weights.get('file')}` (safetensors), sha256 `{weights['sha256']}`."
        )
    return lines


def _lineage(config: dict) -> list[str]:
    lineage = config.get("lineage", {})
    parent = lineage.get("parent")
    if lineage.get("pretrained"):
        return _pretrained(lineage)
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
        f"This model started from **{parent.get('name')}** (weights sha256 "
        f"`{parent.get('sha256')}`), "
        f"copying {counted(lineage.get('tensors_copied', 0), 'weight tensor')}, "
        f"{head}{frozen_text}.",
        "",
    ]


def _pretrained(lineage: dict) -> list[str]:
    base = lineage["pretrained"]
    weights = base["weights"]
    more = lineage.get("fine_tuned_epochs")
    then = (
        f", then every layer for {counted(more, 'epoch')} at a tenth of the learning rate"
        if more else ""
    )  # fmt: skip
    return [
        "## Started from",
        "",
        f"**{base['network']}** ({base['paper']}), pretrained on ImageNet-1k (top-1 "
        f"{base['imagenet_top1']}% as its publisher reports), weights `{weights['file']}` "
        f"(sha256 `{weights['sha256']}`{', from ' + weights['url'] if weights.get('url') else ''})"
        f". Its weights' licence: {weights['licence']}; this model is built on them. A new output "
        f"layer was trained on the frozen network's features{then}.",
        "",
    ]


def _search(config: dict) -> list[str]:
    """The hyperparameter search that chose the settings, as `neuroflow tune` records it."""
    tuning = config.get("tuning")
    if not tuning:
        return []
    scored = f"by {tuning['metric']} on the validation split ({tuning['value']:.4g})"
    closing = (
        "The validation split chose these settings, so its figures flatter the model; the test "
        "split was not used in the search."
    )
    if tuning.get("folds", 1) > 1:
        scored = (
            f"by the mean {tuning['metric']} over {tuning['scored_on']}: "
            f"{tuning['value']:.4g} ± {tuning['spread']:.2g} (standard deviation across folds)"
        )
        closing = (
            "Cross-validation chose these settings; the model was then trained on the training and "
            "validation rows "
            "together, so its validation figures are not held out. The test split was not used in "
            "the search."
        )
    return [
        "## Hyperparameter search",
        "",
        f"The settings were chosen by `neuroflow tune`: trial {tuning['best_trial']} of "
        f"{tuning['finished_trials']} finished trials "
        f"({tuning['pruned']} pruned early) in study **{tuning['study']}**, {scored}.",
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
        closing,
        "",
    ]


def _evaluation(config: dict) -> list[str]:
    metrics = config.get("metrics", {})
    if not metrics:
        return [
            "Not evaluated yet: run `neuroflow evaluate` on this folder to fill in this section."
        ]
    out = [
        "Figures from the last `neuroflow evaluate` (by default on the held-back test split, never "
        "seen in training):",
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


def _usage(config: dict) -> list[str]:
    example = "rows.csv" if config["kind"] == "table" else "picture.png"
    return [
        "```",
        f"neuroflow predict MODEL {example:<19}# MODEL: this folder, its .zip bundle, or an "
        "exported .onnx",
        "neuroflow info MODEL                     # this card's essentials and the layer summary",
        "neuroflow export MODEL --format onnx     # for runtimes without neuroflow",
        "```",
        "",
        'In Python: `model = neuroflow.load("MODEL")`, then `neuroflow.predict(model, inputs)`. '
        "Loading checks the format version and the weights' sha256 and never runs code from the "
        "folder.",
    ]


def _license(config: dict) -> str:
    if config.get("license"):
        return f"{config['license']} (set by the author with `--license`)."
    return (
        "Not stated by the author (train with `--license NAME` to record one); "
        "ask before reusing the model."
    )
