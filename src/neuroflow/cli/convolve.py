"""`neuroflow convolve`: the lesson's kernel convolution on a picture of your own.

Thin: parses flags, calls neuroflow.kernels and kernels.pictures, and prints what they return.
"""

from __future__ import annotations

import json

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError

HELP = """Filter a picture with a kernel: every output pixel is the sum of its neighbourhood x the
kernel's weights.

\b
Examples:
  neuroflow convolve photo.jpg --kernel sharpen --out sharp.png --compare before_after.png
  neuroflow convolve photo.jpg --kernel sobel --gray --out edges.png
  neuroflow convolve small.png --kernel "[[0,-1,0],[-1,5,-1],[0,-1,0]]" --explain 1,1 --grid
  neuroflow convolve --list

Cross-correlation (the default) lays the kernel over the picture as it is written, like the
lesson and like CNN layers (Conv2D); true convolution (--flip) flips it first, as in maths and
scipy.ndimage.convolve. Symmetric kernels (sharpen, blurs, laplacian) give the same picture
either way; sobel-x and sobel-y change sign.

Edges (--mode), shown for a row a b c d with what is read past each end:

\b
  reflect   d c b a | a b c d | d c b a   (scipy's default; grid-mirror, symmetric)
  mirror      d c b | a b c d | c b a     (the edge pixel is not repeated)
  nearest   a a a a | a b c d | d d d d   (also: extend, edge)
  wrap      a b c d | a b c d | a b c d   (also: grid-wrap)
  constant  k k k k | a b c d | k k k k   (k = --cval; also: grid-constant)
  valid     no padding: only pixels the kernel fits over, so the result shrinks (also: crop)
  numpy.pad names these differently: its "symmetric" is reflect here, its "reflect" is mirror.

Results outside 0..255 are clipped (negative -> 0, above 255 -> 255) unless --abs or --rescale.
"""

EXAMPLE = "neuroflow convolve photo.jpg --kernel sharpen --out sharp.png --compare before_after.png"


def _point(text: str) -> tuple[int, int]:
    parts = text.replace(" ", "").split(",")
    if len(parts) != 2 or not all(p.lstrip("-").isdigit() for p in parts):
        raise UsageError(
            f"--explain {text!r} is not a pixel",
            "give X,Y as whole numbers, e.g. --explain 1,1 (x = column, y = row, from 0)",
        )
    return int(parts[0]), int(parts[1])


@app.command(help=HELP)
def convolve(
    image: str = typer.Argument(
        None,
        help="The picture to filter: PNG, JPEG, BMP, GIF, TIFF or WebP.",
        show_default=False,
        metavar="IMAGE",
    ),
    kernel: str = typer.Option(
        None,
        "--kernel",
        "-k",
        help="A name from --list (sharpen, gaussian-blur, sobel, ...), numbers such as "
        '"[[0,-1,0],[-1,5,-1],[0,-1,0]]" or "1 2 1; 2 4 2; 1 2 1" (fractions like 1/16 '
        "allowed), or a .csv / .json file of rows.",
        show_default=False,
        metavar="KERNEL",
    ),
    out: str = typer.Option(
        None,
        "--out",
        "-o",
        help="Write the filtered picture here; the extension picks the format (.png, .jpg, ...).",
        show_default=False,
        metavar="FILE",
    ),
    mode: str = typer.Option(
        "reflect",
        "--mode",
        "-m",
        help="What lies past the image's edge: reflect, mirror, nearest (= extend), wrap, "
        "constant, or valid (= crop: the result shrinks). See the pictures above.",
        metavar="MODE",
    ),
    cval: float = typer.Option(
        None,
        "--cval",
        help="The value past the edge for --mode constant (default 0).",
        show_default=False,
        metavar="K",
    ),
    flip: bool = typer.Option(
        False,
        "--flip",
        help="True convolution: flip the kernel (rotate it 180 degrees) before laying it over. "
        "Default: cross-correlation, as the lesson and CNN layers do.",
    ),
    size: int = typer.Option(
        None,
        "--size",
        help="Width and height of box-blur or gaussian-blur (default 3).",
        show_default=False,
        metavar="N",
    ),
    sigma: float = typer.Option(
        None,
        "--sigma",
        help="gaussian-blur: use a sampled Gaussian with this spread (in pixels) instead of "
        "binomial weights.",
        show_default=False,
        metavar="S",
    ),
    absolute: bool = typer.Option(
        False,
        "--abs",
        help="Take the absolute value of each result first, so dark-to-light and light-to-dark "
        "edges both show (sobel-x, laplacian, ...).",
    ),
    rescale: bool = typer.Option(
        False,
        "--rescale",
        help="Stretch the results' min..max onto 0..255 instead of clipping (one scale for all "
        "channels).",
    ),
    gray: bool = typer.Option(
        False,
        "--gray",
        "--grey",
        help="Turn a colour picture grey first (edge detection usually reads better).",
    ),
    compare: str = typer.Option(
        None,
        "--compare",
        help="Also write a PNG with the picture before and after, side by side.",
        show_default=False,
        metavar="FILE",
    ),
    explain: str = typer.Option(
        None,
        "--explain",
        help="X,Y: print that pixel's neighbourhood, the kernel, each product, the sum and the "
        "result after clipping. x counts columns from the left, y rows from the top, both "
        "from 0.",
        show_default=False,
        metavar="X,Y",
    ),
    grid: bool = typer.Option(
        False,
        "--grid",
        help="Print the numbers before and after (a small picture whole, else 10x10 around "
        "--explain or the top-left corner).",
    ),
    list_: bool = typer.Option(
        False, "--list", help="Print the named kernels with their numbers, then stop."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print what was done (and --list, --explain, --grid) as JSON."
    ),
    force: bool = typer.Option(
        False, "--force", help="Let --out or --compare replace the picture being filtered."
    ),
) -> None:
    if list_:
        from neuroflow.kernels.catalogue import catalogue_json, catalogue_text

        print(json.dumps(catalogue_json(), indent=2) if as_json else catalogue_text())
        return
    from neuroflow import kernels as nk
    from neuroflow.kernels import pictures as images

    kern, scipy_mode, point = _checked(
        kernel, image, mode, cval, size, sigma, explain, out, compare, grid
    )
    if not force:
        for path, flag in ((out, "--out"), (compare, "--compare")):
            images.check_not_input(image, path, flag)
    picture = images.load_image(image, gray=gray)
    values = nk.convolve(picture.pixels, kern, mode=scipy_mode, cval=cval or 0.0, flip=flip)
    pixels, value_range = nk.to_pixels(values, absolute=absolute, rescale=rescale)
    box = (
        nk.valid_box(picture.pixels.shape[:2], kern.shape, flip)
        if scipy_mode == "valid"
        else (slice(None), slice(None))
    )
    _write(
        out,
        compare,
        picture,
        pixels,
        box,
        f"{kern.name}, {'convolution' if flip else 'correlation'}, mode {scipy_mode}",
    )
    report: dict = dict(image=str(picture.path), kernel=kern.name, mode=scipy_mode, flip=flip)
    report.update(size=list(pixels.shape[1::-1]), out=out, compare=compare)
    lines: list[str] = []
    if point:
        how = dict(mode=scipy_mode, cval=cval or 0.0, flip=flip, absolute=absolute)
        report["explain"], lines = _explain(picture, kern, point, how, value_range)
    if grid:
        report["grid"], grid_text = images.before_after_grids(
            picture.pixels, pixels, box, point, f"{kern.name}, mode {scipy_mode}"
        )
        lines += grid_text
    clipped = 0.0 if rescale else nk.clipped_fraction(values, absolute=absolute)
    report["clipped_fraction"] = clipped
    if as_json:
        print(json.dumps(report, indent=2))
        return
    lines += _written(report, pixels, value_range, clipped, grid)
    print("\n".join(lines).rstrip("\n"))


def _checked(kernel, image, mode, cval, size, sigma, explain, out, compare, grid):
    """The kernel, edge mode and --explain pixel, or the usage error for the first thing wrong."""
    from neuroflow import kernels as nk
    from neuroflow.kernels import pictures as images

    if kernel is None:
        raise UsageError(
            "--kernel is missing",
            f"name one from 'neuroflow convolve --list' or give numbers, e.g. {EXAMPLE}",
        )
    if not image:
        raise UsageError("no IMAGE to filter was given", f"e.g. {EXAMPLE}")
    kern = nk.parse_kernel(kernel, size, sigma)
    scipy_mode = nk.mode_name(mode)
    if cval is not None and scipy_mode != "constant":
        raise UsageError(
            f"--cval only applies to --mode constant, not {mode}",
            "add --mode constant or leave out --cval",
        )
    point = _point(explain) if explain else None
    if not (out or compare or explain or grid):
        raise UsageError("nothing to do", "add --out FILE, --compare FILE, --explain X,Y or --grid")
    paths = [
        images.check_output(p, flag) for p, flag in ((out, "--out"), (compare, "--compare")) if p
    ]
    if len(paths) == 2 and paths[0].resolve() == paths[1].resolve():
        raise UsageError("--out and --compare name the same file", "give them different names")
    return kern, scipy_mode, point


def _write(out, compare, picture, pixels, box, how: str) -> None:
    """The filtered picture (--out) and the before-and-after picture (--compare)."""
    from neuroflow import kernels as nk
    from neuroflow.kernels import pictures as images

    if out:
        images.save_image(out, pixels, None if picture.alpha is None else picture.alpha[box])
    if compare:
        images.save_comparison(
            compare,
            nk.to_pixels(picture.pixels)[0],
            pixels,
            (f"before: {picture.path.name}", f"after: {how}"),
            (box[0].start or 0, box[1].start or 0),
        )


def _explain(picture, kern, point, how: dict, value_range) -> tuple[list[dict], list[str]]:
    """Each channel's worked sum at the --explain pixel, as JSON entries and as lines."""
    from neuroflow import kernels as nk
    from neuroflow.kernels import pictures as images

    entries, lines = [], []
    for name, plane in images.channel_planes(picture.pixels):
        ex = nk.explain_pixel(plane, kern, *point, **how, value_range=value_range)
        entries.append({"channel": name, **ex.as_dict()})
        lines += ([f"Channel {name}:"] if name else []) + ex.lines() + [""]
    return entries, lines


def _written(report: dict, pixels, value_range, clipped: float, grid: bool) -> list[str]:
    """The lines naming the files written, and a note when many results were clipped."""
    out, compare, lines = report["out"], report["compare"], []
    height, width = pixels.shape[:2]
    fitted = (
        f"rescaled {value_range[0]:.4g}..{value_range[1]:.4g} to 0..255"
        if value_range
        else "clipped to 0..255"
    )
    if out:
        lines.append(
            f"Wrote {out} (filtered picture, {width}x{height}, {report['kernel']}, "
            f"mode {report['mode']}, {fitted})"
        )
    if compare:
        lines.append(f"Wrote {compare} (before and after, side by side)")
    if clipped > 0.05 and (out or compare or grid):
        lines.append(
            f"Note: {clipped:.0%} of the results were outside 0..255 and were clipped; --abs or "
            "--rescale shows them."
        )
    return lines
