"""`neuroflow data download` and `neuroflow augment preview`: lesson step 3, getting and preparing
the data.

Download checks every file's md5; the preview shows what --augment will do before any training.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError

data_app = typer.Typer(
    help="Get datasets: download MNIST or Fashion-MNIST, checked by md5.", no_args_is_help=True
)
app.add_typer(data_app, name="data")
augment_app = typer.Typer(
    help="See what --augment does to the training images before training.", no_args_is_help=True
)
app.add_typer(augment_app, name="augment")

PREVIEW_FORMATS = (".png", ".jpg", ".jpeg")


@data_app.command("download")
def download(
    name: str = typer.Argument(..., help="mnist or fashion-mnist."),
    data_dir: str = typer.Option(
        None,
        "--data-dir",
        help="Put the files in DIR/NAME (default: $NEUROFLOW_DATA or the user cache).",
    ),
) -> None:
    """Download the four IDX files of MNIST or Fashion-MNIST, check their md5 and keep them for
    every command.

    Example: neuroflow data download mnist --data-dir data
    """
    from neuroflow.data.download import download as fetch

    folder = fetch(name, data_dir, log=lambda line: print(line, file=sys.stderr))
    flag = f" --data-dir {data_dir}" if data_dir else ""
    print(f"{name.lower()}: the four IDX files are in {folder}, md5 checked")
    print(f"try it: neuroflow train {name.lower()}{flag}")


@augment_app.command("preview")
def preview(
    data: str = typer.Argument(
        ..., help="An image dataset: mnist, fashion-mnist, digits or a folder of class subfolders."
    ),
    augment: str = typer.Option(
        ..., "--augment", help="e.g. 'invert,rotate=15,noise=0.1'.", show_default=False
    ),
    out: str = typer.Option(
        "augment_preview.png", "--out", help="The picture to write (.png or .jpg)."
    ),
    data_dir: str = typer.Option(None, "--data-dir", help="Where the IDX files are."),
    n: int = typer.Option(8, "--n", help="How many training images (rows)."),
    versions: int = typer.Option(
        4, "--versions", help="Augmented versions of each image (columns)."
    ),
    seed: int = typer.Option(
        0, "--seed", help="Seed for the choice of images and the random changes."
    ),
) -> None:
    """Write a grid of training images beside augmented versions of them.

    Example: neuroflow augment preview mnist --augment "invert,rotate=15" --out grid.png
    """
    from neuroflow.data import load_dataset
    from neuroflow.data.pictures.augment import Augmenter
    from neuroflow.data.pictures.augment import preview as write_preview

    if not 1 <= n <= 64:
        raise UsageError(f"--n {n} is out of range", "give 1 to 64 images")
    if not 1 <= versions <= 16:
        raise UsageError(f"--versions {versions} is out of range", "give 1 to 16 versions")
    if Path(out).suffix.lower() not in PREVIEW_FORMATS:
        raise UsageError(
            f"--out {out} is not a .png or .jpg file", "name the picture e.g. grid.png"
        )
    augmenter = Augmenter.from_spec(augment)  # a bad spec fails before the data is loaded
    dataset = load_dataset(data, data_dir=data_dir, seed=seed)
    if dataset.kind != "image":
        raise UsageError(
            f"{data} is a table; augmentation is for images", "give an image dataset or folder"
        )
    path = write_preview(
        dataset.x_train, dataset.y_train, augmenter, out, n=n, versions=versions, seed=seed
    )
    columns = "original" + (", inverted" if augmenter.invert else "") + f", {versions} augmented"
    print(
        f"wrote {path}: {min(n, len(dataset.y_train))} training images of {dataset.name} "
        f"({columns}; {augmenter or 'no change'})"
    )
