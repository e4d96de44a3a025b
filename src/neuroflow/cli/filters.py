"""`neuroflow filters`: a trained CNN's first-layer kernels and, for one picture, every layer's
feature maps.

Thin: calls neuroflow.kernels.filters.write_filters and prints the files it wrote.
"""

from __future__ import annotations

import json

import typer

from neuroflow.cli.app import app


@app.command()
def filters(
    model: str = typer.Argument(
        ..., help="A model folder (or bundle .zip) of an image model with Conv2D layers."
    ),
    image: str = typer.Argument(
        None,
        help="A picture: also draw the feature maps each Conv2D and pooling layer makes of it.",
        show_default=False,
    ),
    out: str = typer.Option(
        "filters", "--out", "-o", help="Folder for the PNGs and the kernels' CSV files."
    ),
    no_preprocess: bool = typer.Option(
        False,
        "--no-preprocess",
        help="Feed the picture as it is (only resized), as 'predict --no-preprocess' does.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was written and found as JSON."),
) -> None:
    """Draw the kernels a CNN learned (kernels.png) and, given a picture, its feature maps.

    \b
    Examples:
      neuroflow filters models/digits-default --out filters
      neuroflow filters models/digits-default my_digit.png --out filters

    Each learned kernel is also saved as a CSV that 'neuroflow convolve --kernel FILE' applies to
    any picture.
    """
    from neuroflow.kernels.filter_grids import LOOKS_LIKE
    from neuroflow.kernels.filters import write_filters

    report = write_filters(model, out, image, raw=no_preprocess)
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    kh, kw = report["kernel_size"]
    print(
        f"{report['layer']}: {report['filters']} kernels {kh}x{kw} over {report['channels']} "
        f"channel{'s' * (report['channels'] > 1)}"
    )
    alike = [
        f"{k['index']} ~ {k['looks_like']} ({k['cosine']:.2f})"
        for k in report["kernels"]
        if k.get("cosine", 0) >= LOOKS_LIKE
    ]
    if alike:
        print("like hand-made kernels: " + ", ".join(alike))
    if "prediction" in report:
        p = report["prediction"]
        print(f"{report['input']['image']}: {p['label']} ({p['probability']:.1%})")
    for path in report["files"]:
        print(f"wrote {path}")
    first = report["kernels"][0]["files"][0]
    print(
        f"wrote {sum(len(k['files']) for k in report['kernels'])} kernel CSV files in "
        f"{report['kernels_folder']} (try: neuroflow convolve PICTURE --kernel {first} "
        "--rescale)"
    )
