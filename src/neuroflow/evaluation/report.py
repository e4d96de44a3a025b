"""An evaluation report as text for a person: figures, the per-class table, the confusion matrix."""

from __future__ import annotations


def format_report(report: dict, model) -> str:
    lines = [f"Model {report['model']} on {report['data']}"]
    if report["task"] == "classification":
        lines += _classification_lines(report, model)
        for key in ("confusion_matrix_png", "wrong_png"):
            if report.get(key):
                lines.append(f"wrote {report[key]}")
    else:
        lines.append(f"MAE {report['mae']:.4g}   RMSE {report['rmse']:.4g}   R² {report['r2']:.4f}")
        if report.get("predicted_vs_true_png"):
            lines.append(f"wrote {report['predicted_vs_true_png']}")
    if "ood" in report:
        o = report["ood"]
        lines += [
            "",
            f"unknown-input check against {o['data']}: AUROC {o['auroc']:.4f}   AUPR "
            f"{o['aupr']:.4f}   FPR at 95% TPR {o['fpr_at_95_tpr']:.4f}",
        ]
        if o.get("histogram_png"):
            lines.append(f"wrote {o['histogram_png']}")
    return "\n".join(lines)


def _classification_lines(report: dict, model) -> list[str]:
    """The figures, the per-class table and the confusion matrix as text."""
    lines = []
    lines.append(
        f"accuracy {report['accuracy']:.4f}   NLL {report['nll']:.4f}   Brier "
        f"{report['brier']:.4f}   ECE {report['ece']:.4f}"
    )
    if "uncalibrated" in report:
        u = report["uncalibrated"]
        lines.append(
            f"  before temperature scaling (T = {model.temperature:.3f}): NLL {u['nll']:.4f}   "
            f"Brier {u['brier']:.4f}   ECE {u['ece']:.4f}"
        )
    width = max(len(r["class"]) for r in report["per_class"]) + 2
    lines += ["", f"{'class':{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    lines += [
        f"{r['class']:{width}}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}{r['support']:>9}"
        for r in report["per_class"]
    ]
    names = model.class_names
    cw = (
        max(
            max(map(len, names)),
            max(len(str(v)) for row in report["confusion_matrix"] for v in row),
        )
        + 1
    )
    lines += [
        "",
        "confusion matrix (rows: true, columns: predicted)",
        " " * width + "".join(f"{n:>{cw}}" for n in names),
    ]
    lines += [
        f"{n:{width}}" + "".join(f"{v:>{cw}}" for v in row)
        for n, row in zip(names, report["confusion_matrix"], strict=True)
    ]
    return lines
