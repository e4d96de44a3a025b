"""`neuroflow export`, `bundle` and `info`: lesson step 10, sharing a model safely.

An ONNX file for other runtimes, one .zip to send, and a look at any of them without loading torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


@app.command()
def export(
    model: str = typer.Argument(..., help="A model folder (or bundle .zip)."),
    fmt: str = typer.Option(
        "onnx", "--format", help="onnx: one file; web: a page folder that runs in any browser."
    ),
    out: str = typer.Option(
        None,
        "--out",
        help="File (onnx; default: MODEL.onnx beside the folder) or folder (web) to write.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out folder (web)."),
) -> None:
    """Export a model as ONNX (preprocessing and class names in its metadata) or as a web page."""
    from neuroflow.export.to_onnx import FORMATS, export_onnx, graph_io
    from neuroflow.models.store import read_config

    if fmt.lower() not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not known", f"use one of: {', '.join(FORMATS)}")
    if fmt.lower() == "web":
        _export_web(model, out, force)
        return
    path = export_onnx(model, out)
    config = read_config(model)
    inp, outputs = graph_io(config)
    shape = ", ".join("batch" if d is None else str(d) for d in inp["shape"])
    print(f"wrote {path} ({_size(path)})")
    print(f"input  {inp['name']}: {inp['dtype']} ({shape}), {inp['note']}")
    print(
        f"output {', '.join(outputs)}; config, class names and preprocessing are in the metadata "
        "(neuroflow_config)"
    )
    print(
        f"try it: neuroflow predict {path} "
        f"{'rows.csv' if config['kind'] == 'table' else 'picture.png'}"
    )


def _export_web(model: str, out: str | None, force: bool) -> None:
    from neuroflow.export.web import RUNTIME_FILES, export_web

    if out is None:
        raise UsageError("--format web needs --out DIR", "e.g. --out my-model-page")
    path = export_web(model, out, force=force)
    mib = {
        p.name: p.stat().st_size / (1 << 20) for p in Path(path).iterdir() if p.is_file()
    }  # the folder is flat
    runtime = sum(mib[name] for name in RUNTIME_FILES)
    print(
        f"wrote {path}/ ({sum(mib.values()):.1f} MiB, {runtime:.1f} MiB of it ONNX Runtime Web): "
        "index.html, model.onnx, model.json"
    )
    print(f"try it: python -m http.server --directory {path} --bind 127.0.0.1 8000")
    print("then open http://127.0.0.1:8000/ (any static file server or web host works)")


@app.command()
def bundle(
    model: str = typer.Argument(..., help="A model folder."),
    out: str = typer.Option(
        None, "--out", help="The .zip to write (default: MODEL.zip beside the folder)."
    ),
    web: bool = typer.Option(False, "--web", help="Add the model's web page, in web/."),
) -> None:
    """Pack a model folder into one .zip to send; predict, evaluate and train --from accept it."""
    from neuroflow.models.bundle import make_bundle

    if web:
        from neuroflow.export.web import bundle_with_web

        path = bundle_with_web(model, out)
    else:
        path = make_bundle(model, out)
    print(
        f"wrote {path} ({_size(path)}); use it wherever a model folder goes, e.g. neuroflow "
        f"predict {path} ..."
    )


@app.command()
def info(
    model: str = typer.Argument(..., help="A model folder, bundle .zip or exported .onnx."),
    as_json: bool = typer.Option(False, "--json", help="Print config.json as JSON."),
) -> None:
    """Show what a model is (its card's essentials and layer summary) without loading it."""
    from neuroflow.models.describe import info_text

    if model.lower().endswith(".onnx"):  # read without loading the graph into torch
        from neuroflow.export.runtime import read_onnx_config

        config = read_onnx_config(model)
    else:
        from neuroflow.models.store import read_config

        config = read_config(model)
    print(json.dumps(config, indent=2, ensure_ascii=False) if as_json else info_text(config))
