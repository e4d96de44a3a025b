"""A model in a few words, from config.json alone (no torch): the card's phrases and `info`.

`neuroflow info` and the model card describe a model with the same sentences.
"""

from __future__ import annotations

from neuroflow.errors import printable


def counted(n: int, word: str, many: str | None = None) -> str:
    """'1 column', '4 columns', '1 category', '2 categories': a count with its noun agreeing."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def one_line(config: dict) -> str:
    what = "classifier" if config["task"] == "classification" else "regression model"
    kind = "a table" if config["kind"] == "table" else "an image"
    goal = (
        f"tells {classes(config)} apart"
        if config["task"] == "classification"
        else f"predicts {config['preprocessing'].get('target') or 'a number'}"
    )
    data = config.get("dataset", {}).get("name", "its data")
    version = config.get("neuroflow_version")
    tool = f"neuroflow {version}" if version else "neuroflow"
    return f"{kind.capitalize()} {what} that {goal}, trained on {data} with {tool}."


def classes(config: dict) -> str:
    names = config.get("class_names") or []
    if len(names) > 12:
        return f"{len(names)} classes ({', '.join(names[:10])}, …)"
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else ", ".join(names)


def describe_input(config: dict) -> str:
    prep = config["preprocessing"]
    if prep.get("type") == "table":
        names = ", ".join(c["name"] for c in prep["columns"])
        columns = counted(len(prep["columns"]), "column")
        return f"one table row of {columns} ({names}), raw as in the training CSV"
    size = f"{prep.get('height')}×{prep.get('width')}"
    return f"a picture, prepared to {size} pixels with {counted(prep.get('channels'), 'channel')}"


def describe_output(config: dict) -> str:
    if config["task"] == "classification":
        n = counted(len(config["class_names"]), "class", "classes")
        return f"a probability for each of {n} ({classes(config)})"
    return f"one number, the predicted {config['preprocessing'].get('target') or 'target'}"


def info_text(config: dict) -> str:
    """The card's essentials and the Keras-style summary, from config.json alone (no torch)."""
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
        ("model", one_line(config)),
        ("format", f"{config.get('format')} version {config.get('format_version')}"),
        ("input", describe_input(config)),
        ("output", describe_output(config)),
        ("dataset", config.get("dataset", {}).get("description", "unknown")),
        (
            "training",
            f"{counted(ran, 'epoch') if isinstance(ran, int) else f'{ran} epochs'} "
            f"({settings}), {training.get('wall_time_s', '?')} s on {training.get('machine', '?')}",
        ),
        (
            "metrics",
            ", ".join(
                f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items()
            )
            or "not evaluated yet (run 'neuroflow evaluate')",
        ),
        *_fitted_rows(config),
    ]
    width = max(len(k) for k, _ in rows) + 2
    # class names and descriptions come from folders and files: their control characters are
    # shown as escapes, not obeyed by the terminal
    lines = [f"{k:{width}}{printable(v)}" for k, v in rows]
    return "\n".join([*lines, "", _layers(config)])


def _fitted_rows(config: dict) -> list[tuple[str, str]]:
    """Rows on what was fitted or inherited: calibration, the check, lineage, license, weights."""
    rows = []
    calibration = config.get("calibration")
    if (calibration or {}).get("reason"):
        rows.append(("calibration", f"none: {calibration['reason']}"))
    elif calibration:
        rows.append(("calibration", f"temperature scaling, T = {calibration['temperature']:.3f}"))
    check = config.get("ood")
    if check:
        accepts = f"{check.get('target_accept', 0.95):.0%}"
        rows.append(
            ("unknown check", f"{check.get('method')}, accepts {accepts} of validation inputs")
        )
    parent = config.get("lineage", {}).get("parent")
    if parent:
        rows.append(
            ("fine-tuned from", f"{parent.get('name')} (weights sha256 {parent.get('sha256')})")
        )
    rows.append(("license", config.get("license") or "not stated"))
    weights = config.get("weights", {})
    rows.append(("weights", f"{weights.get('file')}, sha256 {weights.get('sha256')}"))
    return rows


def _layers(config: dict) -> str:
    """The Keras-style summary table, or the layer types of a folder saved without one."""
    from neuroflow.models.summary import format_summary

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
        frozen = config.get("training", {}).get("frozen_parameters") or 0
        return format_summary(table, f"Model: {config.get('name', 'neuroflow')}", frozen)
    types = ", ".join(layer["type"] for layer in config.get("spec", {}).get("layers", []))
    return f"layers: {types} (saved before summaries were recorded)"
