"""`export --format web`: a model as a static folder (page, model.onnx, model.json, ONNX Runtime
Web) that answers in any browser, with no server and no Python.

The page prepares pictures and rows itself from model.json, runs model.onnx and decides the
unknown-input verdict from the logits (or features) exactly as neuroflow does; a regression model
answers with its number, in the target's units.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from neuroflow.errors import UsageError

HERE = Path(__file__).resolve().parent
PAGE = HERE / "web_page"  # index.html, style.css, the page's scripts
RUNTIME = HERE / "web_runtime"  # vendored by `make web-runtime`, checked against RUNTIME.lock
RUNTIME_FILES = ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
PAGE_FILES = (
    "index.html",
    "style.css",
    "image_ops.js",
    "digit_finding.js",
    "prepare.js",
    "page.js",
)
PREPARATIONS = ("digit", "resize", "crop")  # picture preparations the page does as neuroflow does


def export_web(model, out: str | Path, *, force: bool = False) -> Path:
    """Write `model` (a Model, folder or bundle) as a web page folder at `out`; an existing `out`
    is replaced only with `force`."""
    from neuroflow.export.to_onnx import export_onnx
    from neuroflow.files import atomic_folder, write_json
    from neuroflow.models.model import Model

    if not isinstance(model, Model):
        from neuroflow.models.store import load_model

        model = load_model(model)
    out = Path(out)
    if out.exists() and not force:
        raise UsageError(f"--out {out} exists", "choose a new folder, or add --force to replace it")
    web = web_config(model)
    with atomic_folder(out) as tmp:
        check = web["unknown"]
        features = check.get("method") == "mahalanobis" and check["space"] == "features"
        export_onnx(model, tmp / "model.onnx", features=features)
        write_json(tmp / "model.json", web)
        for name in PAGE_FILES:
            shutil.copyfile(PAGE / name, tmp / name)
        for name in (*RUNTIME_FILES, "LICENSE"):
            target = "LICENSE-onnxruntime" if name == "LICENSE" else name
            shutil.copyfile(RUNTIME / name, tmp / target)
    return out


def bundle_with_web(model_dir: str | Path, out: str | Path | None = None) -> Path:
    """`neuroflow bundle --web`: the model folder's bundle with its web page in web/."""
    import tempfile

    from neuroflow.models.bundle import make_bundle

    with tempfile.TemporaryDirectory(prefix="neuroflow-web-") as tmp:
        page = export_web(model_dir, Path(tmp) / "web")
        extra = {f"web/{p.name}": p for p in sorted(page.iterdir())}
        return make_bundle(model_dir, out, extra=extra)


def web_config(model) -> dict:
    """model.json: what the page needs to prepare inputs, run the graph and judge its answer."""
    prep = model.preprocessing
    if model.kind == "image" and prep.get("prepare", "resize") not in PREPARATIONS:
        raise UsageError(
            f"the web page cannot prepare pictures as {prep.get('prepare')!r} yet",
            "share it with 'neuroflow serve' or '--format onnx'",
        )
    return {
        "format": "neuroflow-web",
        "format_version": 1,
        "name": model.config.get("name", "neuroflow model"),
        "kind": model.kind,
        "task": model.task,
        "class_names": model.class_names,
        # a regression model's graph answers in the target's units (export.to_onnx undoes the
        # standardising with preprocessing's target_mean and target_std); the page names it
        "target": prep.get("target") if model.task == "regression" else None,
        "input": {
            "name": "pixels" if model.kind == "image" else "features",
            "dtype": "uint8" if model.kind == "image" else "float32",
            "shape": list(model.input_shape),
        },
        "preprocessing": prep,
        "temperature": model.temperature,
        # predict judges a classifier's answers only (inference.predict), and so does the page
        "unknown": _unknown_check(model) if model.task == "classification" else {},
    }


def _unknown_check(model) -> dict:
    """The check's method, threshold and (for the distance to class means) its fitted arrays;
    `{}` without one, as for every regression model (neuroflow fits the check for classifiers)."""
    check = model.unknown_check
    if not check:
        return {}
    out = {"method": check["method"], "space": check.get("space", "features")}
    out["threshold"] = float(check["threshold"])
    if check["method"] == "mahalanobis":
        out["means"] = model.detector["means"].tolist()
        out["precision"] = model.detector["precision"].tolist()
    return out
