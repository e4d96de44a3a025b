"""The model card (README.md of a model folder): YAML front matter for model hubs, then plain words.

Written at training, refreshed by `evaluate`; every figure in it comes from config.json.
"""

from __future__ import annotations


def _front_matter(config: dict) -> str:
    import yaml

    metrics = config.get("metrics", {})
    meta = {
        "library_name": "neuroflow",
        "license": config.get("license", "other"),
        "tags": ["neuroflow", config["kind"], config["task"]],
        "datasets": [config.get("dataset", {}).get("name", "unknown")],
        "metrics": [{"name": k, "value": round(v, 4)} for k, v in metrics.items() if isinstance(v, int | float)],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n"


def model_card(model) -> str:
    config = model.config
    training = config.get("training", {})
    dataset = config.get("dataset", {})
    rows = "\n".join(f"| {b.name} | {b.kind} | {', '.join(map(str, b.output_shape))} | {b.params:,} |" for b in model.network.built)
    classes = ", ".join(config["class_names"]) if config.get("class_names") else "—"
    lines = [
        _front_matter(config),
        f"# {config.get('name', 'neuroflow model')}",
        "",
        f"A {config['kind']} {config['task']} model trained with neuroflow {config.get('neuroflow_version', '')}.",
        "",
        "## What the model is",
        "",
        "| layer | type | output shape | parameters |",
        "|---|---|---|---|",
        rows,
        "",
        f"Parameters: {model.network.count_params():,}. Outputs: {classes}.",
        "",
        "## Training data and preprocessing",
        "",
        f"Dataset: {dataset.get('name', 'unknown')} ({dataset.get('description', '')}).",
        f"Inputs: shape {tuple(config['input']['shape'])}; preprocessing: {_describe_prep(config['preprocessing'])}.",
        "",
        "## Training procedure",
        "",
        "| setting | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in training.items() if not isinstance(v, dict | list)],
    ]
    lineage = config.get("lineage", {})
    if lineage.get("parent"):
        p = lineage["parent"]
        lines += ["", f"Fine-tuned from {p.get('name')} (weights sha256 {p.get('sha256', '')[:16]}…), freeze: {lineage.get('freeze', 'none')}."]
    lines += ["", "## Evaluation results", ""]
    metrics = config.get("metrics", {})
    if metrics:
        lines += ["| metric | value |", "|---|---|", *[f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in metrics.items()]]
        lines += ["", "![confusion matrix](confusion_matrix.png)" if config["task"] == "classification" else "![predicted vs true](predicted_vs_true.png)"]
    else:
        lines.append("Not evaluated yet: run `neuroflow evaluate` on this folder.")
    lines += ["", "## Intended use and limitations", "", *_limitations(config)]
    return "\n".join(lines) + "\n"


def _describe_prep(prep: dict) -> str:
    if prep.get("type") == "table":
        kinds = [c["kind"] for c in prep["columns"]]
        return f"{kinds.count('numeric')} numeric columns standardised, {kinds.count('category')} text columns one-hot encoded, blanks filled with a missing indicator"
    how = "prepared like MNIST digits (greyscale, polarity, cropped, centred)" if prep.get("prepare") == "digit" else "resized"
    return f"images {prep.get('height')}×{prep.get('width')}×{prep.get('channels')}, pixels scaled by 1/255, own pictures {how}"


def _limitations(config: dict) -> list[str]:
    out = [
        f"- It knows only what its training data showed: {config.get('dataset', {}).get('name', 'its dataset')}.",
        "- Asked about something else (the lessons' \"what digit is this dog?\"), a plain classifier still answers with a class;"
        " neuroflow's unknown-input check flags such inputs where it is fitted (see below).",
    ]
    ood = config.get("ood")
    if ood:
        out.append(f"- Unknown-input detector: {ood.get('method')}, threshold chosen to accept {ood.get('target_accept', 0.95):.0%} of validation inputs.")
        for name, figures in ood.get("reports", {}).items():
            out.append(f"  - against {name}: AUROC {figures['auroc']:.3f}, FPR at 95% TPR {figures['fpr_at_95_tpr']:.3f}")
    if config.get("calibration"):
        out.append(f"- Confidence calibrated by temperature scaling (T = {config['calibration']['temperature']:.3f}) on the validation split.")
    return out
