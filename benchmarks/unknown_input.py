"""Which unknown-input score works: every method against every kind of unknown input, on one model.

`python -m benchmarks.unknown_input MODEL_DIR --data-dir ../shared/data/mnist` prints AUROC and FPR
at 95% TPR per method and kind, plus calibration before/after on the test set; the chosen default is
the one with the best worst case.
"""

from __future__ import annotations

import argparse


def main() -> None:
    import neuroflow as nf
    from neuroflow.data.pictures.idx import load_idx_dataset
    from neuroflow.models.detector import features_and_logits

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--data-dir", default="../shared/data/mnist")
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    model = nf.load(args.model)
    ds = load_idx_dataset("mnist", data_dir=args.data_dir)
    f_in, l_in = features_and_logits(model.network, ds.x_test, model.preprocessing)
    print(
        f"model {args.model}: T = {model.temperature:.3f}; known inputs: MNIST test "
        f"({len(ds.x_test)})"
    )
    _methods_table(model, ds, f_in, l_in, args.n)
    _accepted_and_calibration(model, ds, f_in, l_in)


def _methods_table(model, ds, f_in, l_in, n: int) -> None:
    """AUROC and FPR at 95% TPR of every method against every kind of unknown input."""
    from neuroflow.data.made_up.unknown_inputs import unknown_inputs
    from neuroflow.evaluation.unknown_inputs import detection_figures
    from neuroflow.models.detector import METHODS, features_and_logits, scores_for

    t = model.temperature
    kinds = ["letters", "symbols", "noise", "blank", "shapes", "scrambled"]
    print(f"{'method':12}" + "".join(f"{k:>18}" for k in kinds))
    sets = {
        k: unknown_inputs(k, n, seed=1, digits=ds.x_test[:, :, :, 0] if k == "scrambled" else None)
        for k in kinds
    }
    for method in METHODS:
        s_in = scores_for(method, f_in, l_in, t, model.detector)
        cells = []
        for k in kinds:
            x = sets[k][..., None] if sets[k].ndim == 3 else sets[k]
            f_out, l_out = features_and_logits(model.network, x, model.preprocessing)
            fig = detection_figures(s_in, scores_for(method, f_out, l_out, t, model.detector))
            cells.append(f"{fig['auroc']:.4f}/{fig['fpr_at_95_tpr']:.3f}")
        print(f"{method:12}" + "".join(f"{c:>18}" for c in cells))
    print("(cells: AUROC / FPR at 95% TPR)")


def _accepted_and_calibration(model, ds, f_in, l_in) -> None:
    """How many test digits the model's own check accepts, and calibration before and after."""
    from neuroflow.evaluation.metrics import calibration_figures
    from neuroflow.models.detector import scores_for
    from neuroflow.models.logits import softmax

    t = model.temperature
    threshold = model.config["ood"]["threshold"]
    s_in = scores_for(model.config["ood"]["method"], f_in, l_in, t, model.detector)
    accepted = s_in <= threshold
    pred = l_in.argmax(1)
    print(
        f"accepted MNIST test digits: {accepted.mean():.4f}; accuracy on accepted "
        f"{(pred[accepted] == ds.y_test[accepted]).mean():.4f} vs all "
        f"{(pred == ds.y_test).mean():.4f}"
    )
    before, after = (
        calibration_figures(softmax(l_in), ds.y_test),
        calibration_figures(softmax(l_in, t), ds.y_test),
    )
    print(
        f"test ECE before {before['ece']:.4f} after {after['ece']:.4f}; NLL before "
        f"{before['nll']:.4f} after {after['nll']:.4f}"
    )


if __name__ == "__main__":
    main()
