"""Explanations as the command line prints them: a line per input with its top columns or where
the heatmap is brightest, and the JSON that `--format json` and the page's API answer with."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.explain.heatmaps import heat

TOP = 5  # columns shown per row in text


def _answer(e) -> str:
    if e.probability is None:
        return f"{e.label:.4g}"
    return f"'{e.label}' ({e.probability:.1%})"


def format_explanations(explanations) -> str:
    lines = []
    for e in explanations:
        text = f"{e.name}: {_answer(e)} by {e.method}"
        if e.completeness_gap is not None:
            text += f", completeness gap {e.completeness_gap:.2%}"
        lines.append(text)
        if e.columns:
            for name, value in list(e.columns.items())[:TOP]:
                lines.append(f"  {name:<20} {value:+.4g}")
        else:
            h = heat(e.attributions)
            y, x = np.unravel_index(int(h.argmax()), h.shape)
            top = np.sort(h.ravel())[::-1][: max(1, h.size // 10)]
            share = float(top.sum() / max(h.sum(), 1e-12))
            lines.append(f"  strongest at x={x}, y={y}; the top 10% of pixels carry {share:.0%}")
    return "\n".join(lines)


def format_importances(found: dict) -> str:
    metric = found["metric"]
    lines = [f"Permutation importance on the {found['data']}: the drop in {metric} when shuffled"]
    for name, value in found["importances"].items():
        lines.append(f"  {name:<20} {value:+.4f}")
    return "\n".join(lines)


def as_json(explanations, files: list[Path] | None = None) -> list[dict]:
    """Each explanation as a dict; a picture's heatmap as rows of numbers in [0, 1]."""
    out = []
    for i, e in enumerate(explanations):
        d = e.as_dict()
        if not e.columns:
            d["heatmap"] = np.round(heat(e.attributions), 3).tolist()
        if files:
            d["file"] = str(files[i])
        out.append(d)
    return out
