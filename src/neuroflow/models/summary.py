"""A network's summary as Keras prints it: each layer's output shape and parameters, then the
trainable, frozen and BatchNormalization-statistics counts."""

from __future__ import annotations


def summary(network, title: str = "Model", frozen: int | None = None) -> str:
    """A Keras-style table: layer, output shape, parameters; frozen ones (None: those without
    gradients) apart."""
    rows = [
        (f"{b.name} ({b.kind})", "(None, " + ", ".join(map(str, b.output_shape)) + ")", b.params)
        for b in network.built
    ]
    if frozen is None:
        frozen = sum(p.numel() for p in network.parameters() if not p.requires_grad)
    return format_summary(rows, title, frozen)


def parameter_counts(rows: list[tuple[str, str, int]], frozen: int = 0) -> dict[str, int]:
    """Total, trainable, frozen and statistics: as Keras counts, a BatchNormalization layer's moving
    mean and variance (half its count) are parameters that no gradient trains."""
    total = sum(r[2] for r in rows)
    statistics = sum(r[2] // 2 for r in rows if r[0].endswith("(BatchNormalization)"))
    return {
        "total": total,
        "trainable": total - frozen - statistics,
        "frozen": frozen,
        "statistics": statistics,
    }


def format_summary(rows: list[tuple[str, str, int]], title: str = "Model", frozen: int = 0) -> str:
    width = (max(len(r[0]) for r in rows) + 2, max(len(r[1]) for r in rows) + 2, 12)
    line = "─" * sum(width)
    out = [
        f"{title}",
        line,
        f"{'Layer (type)':{width[0]}}{'Output Shape':{width[1]}}{'Param #':>{width[2]}}",
        line,
    ]
    out += [
        f"{name:{width[0]}}{shape:{width[1]}}{params:>{width[2]},}" for name, shape, params in rows
    ]
    n = parameter_counts(rows, frozen)
    parts = [f"{n['frozen']:,} frozen during fine-tuning"] if n["frozen"] else []
    parts += [f"{n['statistics']:,} BatchNormalization statistics"] if n["statistics"] else []
    out += [
        line,
        f"Total params: {n['total']:,}",
        f"Trainable params: {n['trainable']:,}",
        f"Non-trainable params: {n['frozen'] + n['statistics']:,}"
        + (f" ({', '.join(parts)})" if parts else ""),
        line,
    ]
    return "\n".join(out)
