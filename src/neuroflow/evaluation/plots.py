"""Pictures of an evaluation: confusion matrix, predicted vs true, unknown-input score histograms,
grids of pictures.

Each function takes arrays and a path and writes one PNG atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.plotting.figures import drawing, pyplot, save_figure


@drawing
def confusion_matrix_png(
    matrix: list[list[int]], class_names: list[str], path: Path, title: str = "Confusion matrix"
) -> Path:
    return save_figure(confusion_matrix_figure(matrix, class_names, title), path)


def confusion_matrix_figure(matrix: list[list[int]], class_names: list[str], title: str):
    plt = pyplot()
    m = np.asarray(matrix)
    size = max(4.0, 0.5 * len(class_names) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    ax.set_yticks(range(len(class_names)), class_names)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    if len(class_names) <= 20:
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(
                    j,
                    i,
                    str(m[i, j]),
                    ha="center",
                    va="center",
                    color="white" if m[i, j] > m.max() / 2 else "black",
                    fontsize=8,
                )
    return fig


def predicted_vs_true_png(
    y_true: np.ndarray, y_pred: np.ndarray, path: Path, title: str = "Predicted vs true"
) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(y_true, y_pred, s=12, alpha=0.6)
    lo, hi = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    ax.plot([lo, hi], [lo, hi], "k--", linewidth=1, label="perfect")
    ax.set(xlabel="true", ylabel="predicted", title=title)
    ax.legend()
    return save_figure(fig, path)


def score_histogram_png(
    scores: dict[str, np.ndarray], threshold: float | None, path: Path, title: str
) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    all_scores = np.concatenate(list(scores.values()))
    bins = np.linspace(all_scores.min(), all_scores.max(), 50)
    for label, values in scores.items():
        ax.hist(values, bins=bins, alpha=0.55, label=label, density=True)
    if threshold is not None:
        ax.axvline(threshold, color="k", linestyle="--", label="threshold")
    ax.set(
        xlabel="unknown-input score (higher = less like the training data)",
        ylabel="density",
        title=title,
    )
    ax.legend()
    return save_figure(fig, path)
