"""Explanations as pictures: each picture as the network saw it with its heatmap over it and the
answer, or a table row's columns as a sorted bar chart; written atomically as PNG.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np


def heat(attributions: np.ndarray) -> np.ndarray:
    """(H, W, C) attributions → an (H, W) map in [0, 1]: the size of each pixel's share."""
    a = np.abs(attributions).sum(axis=-1)
    top = float(a.max())
    return a / top if top > 0 else a


def file_stem(name: str) -> str:
    """An input's name as a safe file name: circle/1.png → circle_1."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", name)
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "input"


def _title(e) -> str:
    if e.probability is None:
        return f"{e.name}: {e.label:.4g}"
    return f"{e.name}: {e.label} ({e.probability:.1%})"


def picture_figure(e):
    from neuroflow.plotting.figures import pyplot

    fig, (seen, over) = pyplot().subplots(1, 2, figsize=(5.2, 2.9))
    picture = e.input[..., 0] if e.input.shape[-1] == 1 else np.clip(e.input, 0, 1)
    for ax in (seen, over):
        ax.imshow(picture, cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    over.imshow(heat(e.attributions), cmap="inferno", alpha=0.6, vmin=0, vmax=1)
    seen.set_title("as the network saw it", fontsize=8)
    over.set_title(f"why: {e.method}", fontsize=8)
    fig.suptitle(_title(e), fontsize=10)
    return fig


def columns_figure(e):
    from neuroflow.plotting.figures import pyplot

    names = list(e.columns)[::-1]  # largest at the top
    values = [e.columns[n] for n in names]
    fig, ax = pyplot().subplots(figsize=(5.2, 0.9 + 0.32 * len(names)))
    ax.barh(names, values, color=["#c0392b" if v < 0 else "#2874a6" for v in values])
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel(f"attribution ({e.method}); right: towards the answer")
    ax.set_title(_title(e), fontsize=10)
    return fig


def write_figures(explanations, out: str | Path) -> list[Path]:
    """One PNG per explanation in `out` (created): NAME.png; returns the paths."""
    from neuroflow.plotting.figures import save_figure

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths, used = [], set()
    for e in explanations:
        stem = file_stem(e.name)
        while stem in used:  # two inputs named alike still get a file each
            stem += "_"
        used.add(stem)
        fig = columns_figure(e) if e.columns else picture_figure(e)
        paths.append(save_figure(fig, out / f"{stem}.png"))
    return paths


def importance_figure(importances: dict[str, float], path: str | Path, title: str) -> Path:
    """Global importances (permutation) as a sorted bar chart."""
    from neuroflow.plotting.figures import pyplot, save_figure

    names = list(importances)[::-1]
    fig, ax = pyplot().subplots(figsize=(5.2, 0.9 + 0.32 * len(names)))
    ax.barh(names, [importances[n] for n in names], color="#2874a6")
    ax.set_xlabel("drop in the score when the column is shuffled")
    ax.set_title(title, fontsize=10)
    return save_figure(fig, path)
