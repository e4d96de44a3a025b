"""Pictures in and out for kernel convolution: load a photo safely, save the filtered one, put
before and after side by side, and print a small image's numbers in the terminal.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroflow.errors import DataError, UsageError
from neuroflow.files import atomic_file, check_parent

MAX_PIXELS = (
    100_000_000  # bigger pictures are refused before decoding: they may be decompression bombs
)
COMPARE_SIDE = (
    2048  # longest side of each half of the before/after picture; larger photos are shrunk
)
WITH_ALPHA = ("PNG", "WEBP", "TIFF")


@dataclass(frozen=True, eq=False)
class Picture:
    """A loaded image: brightness 0..255 as float32, (H, W) grey or (H, W, 3) colour."""

    pixels: np.ndarray
    alpha: np.ndarray | None  # (H, W) bytes, passed through unfiltered
    path: Path


def load_image(path: str | Path, gray: bool = False, max_pixels: int = MAX_PIXELS) -> Picture:
    """Read a picture file, upright as a photo viewer shows it; refuse huge or broken files in one
    line."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise DataError(
            f"image {path} {what}", "give a picture file such as photo.png or photo.jpg"
        )
    if path.stat().st_size == 0:
        raise DataError(
            f"image {path} is an empty file (0 bytes)",
            "give a PNG, JPEG, BMP, GIF, TIFF or WebP picture",
        )
    too_big = f"choose a picture under {max_pixels / 1e6:g} megapixels or shrink it first"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # opening reads only the header, so the size check comes before decoding
            with Image.open(path) as img:
                _check_size(path, img.size, max_pixels, too_big)
                img = ImageOps.exif_transpose(img)  # phone photos: rows as the user sees them
                pixels, alpha = _arrays(img, gray)
    except Image.DecompressionBombError:
        raise DataError(
            f"image {path} is larger than {max_pixels / 1e6:g} megapixels", too_big
        ) from None
    except UnidentifiedImageError:
        raise DataError(
            f"{path} is not a picture neuroflow can read",
            "give a PNG, JPEG, BMP, GIF, TIFF or WebP file",
        ) from None
    except PermissionError:
        raise  # not a damaged file: the command line's one line names the path and the permissions
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise DataError(
            f"cannot read image {path} ({err})",
            "the file may be truncated or damaged; save it again",
        ) from None
    return Picture(pixels, alpha, path)


def _check_size(path: Path, size: tuple[int, int], max_pixels: int, too_big: str) -> None:
    width, height = size
    if width * height > max_pixels:
        raise DataError(
            f"image {path} is {width}x{height}, {width * height / 1e6:.0f} megapixels", too_big
        )
    if width * height == 0:
        raise DataError(
            f"image {path} has no pixels ({width}x{height})", "give a picture with content"
        )


def _arrays(img, gray: bool) -> tuple[np.ndarray, np.ndarray | None]:
    if img.mode.startswith("I"):  # 16- or 32-bit grey: bring 0..65535 onto 0..255
        return np.asarray(img, dtype=np.float32) / 257.0, None
    if img.mode == "F":
        return np.asarray(img, dtype=np.float32), None
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        img.mode == "P" and "transparency" in img.info
    )
    grey = gray or img.mode in ("1", "L", "LA", "La")
    target = ("LA" if grey else "RGBA") if has_alpha else ("L" if grey else "RGB")
    arr = np.asarray(img.convert(target))
    if not has_alpha:
        return arr.astype(np.float32), None
    colour = arr[..., 0] if grey else arr[..., :3]
    return colour.astype(np.float32), np.ascontiguousarray(arr[..., -1])


def _format(path: Path, flag: str) -> str:
    from PIL import Image

    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None or fmt not in Image.SAVE:
        raise UsageError(
            f"{flag} {path.name!r} has no picture extension neuroflow can write",
            "end the name with .png, .jpg, .bmp, .tif or .webp",
        )
    return fmt


def check_output(path: str | Path, flag: str = "--out") -> Path:
    """Fail early, before any work, on an --out whose folder is missing or whose format is
    unknown."""
    path = Path(path).expanduser()
    check_parent(path)
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a folder", "give a file name such as sharp.png")
    _format(path, flag)
    return path


def check_not_input(image: str | Path, path: str | Path | None, flag: str = "--out") -> None:
    """Refuse an output that names the picture being filtered (also through a link)."""
    source = Path(image).expanduser()
    target = Path(path).expanduser() if path else None
    if target is None or not target.exists() or not source.exists():
        return
    if target.resolve() == source.resolve() or target.samefile(source):
        raise UsageError(
            f"{flag} {target} is the picture being filtered: it would be overwritten",
            f"give another file name, or add --force to replace {source.name}",
        )


def _save(img, path: Path, flag: str) -> None:
    fmt = _format(path, flag)
    if fmt not in WITH_ALPHA and img.mode in ("RGBA", "LA"):
        img = img.convert(img.mode[:-1])  # JPEG and BMP have no transparency
    # light compression: a big photo saves much sooner and the file is about as small
    options = {"compress_level": 1} if fmt == "PNG" else {}
    with atomic_file(path) as fh:
        img.save(fh, format=fmt, **options)


def save_image(
    path: str | Path, pixels: np.ndarray, alpha: np.ndarray | None = None, flag: str = "--out"
) -> None:
    """Write 0..255 bytes ((H, W) or (H, W, 3)) as a picture; the format follows the file
    extension."""
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(pixels))
    if alpha is not None and alpha.shape == pixels.shape[:2]:
        img.putalpha(Image.fromarray(alpha))
    _save(img, Path(path).expanduser(), flag)


def save_comparison(
    path: str | Path,
    before: np.ndarray,
    after: np.ndarray,
    labels: tuple[str, str],
    offset: tuple[int, int] = (0, 0),
) -> None:
    """Before and after side by side with a caption each; `offset` places a smaller (valid-mode)
    result over the pixels it came from."""
    from PIL import Image, ImageDraw, ImageFont

    height, width = before.shape[:2]
    scale = min(1.0, COMPARE_SIDE / max(height, width))
    panels = []
    for arr in (before, after):
        img = Image.fromarray(np.ascontiguousarray(arr)).convert("RGB")
        if scale < 1:
            img = img.resize(
                (max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.LANCZOS
            )
        panels.append(img)
    panel_w, panel_h = max(round(width * scale), 1), max(round(height * scale), 1)
    text_size = max(18, panel_w // 45)  # readable captions on 2048-pixel panels too
    pad, caption = 12, text_size + 12
    try:
        font = ImageFont.load_default(size=text_size)
    except (TypeError, OSError):  # Pillow without FreeType has only the small bitmap font
        font = ImageFont.load_default()
    canvas = Image.new("RGB", (3 * pad + 2 * panel_w, 2 * pad + caption + panel_h), (235, 235, 235))
    draw = ImageDraw.Draw(canvas)
    for i, (img, label) in enumerate(zip(panels, labels, strict=True)):
        left = pad + i * (panel_w + pad)
        dy, dx = (round(o * scale) for o in offset) if i else (0, 0)
        canvas.paste(img, (left + dx, pad + caption + dy))
        draw.text((left, pad), label, fill=(0, 0, 0), font=font)
    _save(canvas, Path(path).expanduser(), "--compare")


def grid_window(
    shape: tuple[int, ...], centre: tuple[int, int] | None = None, size: int = 10
) -> tuple[slice, slice]:
    """The rows and columns to print: the whole of a small image, else size x size around `centre`
    (x, y)."""
    height, width = shape[:2]
    if height <= 16 and width <= 16:
        return slice(0, height), slice(0, width)
    cx, cy = centre or (0, 0)
    top = min(max(cy - size // 2, 0), max(height - size, 0)) if centre else 0
    left = min(max(cx - size // 2, 0), max(width - size, 0)) if centre else 0
    return slice(top, min(top + size, height)), slice(left, min(left + size, width))


def grid_lines(values: np.ndarray, window: tuple[slice, slice]) -> list[str]:
    """One channel's numbers inside `window`, labelled with x (columns) and y (rows); nan prints as
    '.'."""
    from neuroflow.kernels.text import fmt

    part = values[window]
    cells = [["." if np.isnan(v) else fmt(float(v)) for v in row] for row in part]
    xs = range(window[1].start, window[1].start + part.shape[1])
    ys = range(window[0].start, window[0].start + part.shape[0])
    width = max([len(c) for row in cells for c in row] + [len(str(x)) for x in xs])
    label = max(len(f"y={y}") for y in ys)
    lines = [" " * label + "  " + " ".join(str(x).rjust(width) for x in xs) + "   <- x"]
    lines += [
        f"y={y}".rjust(label) + "  " + " ".join(c.rjust(width) for c in row)
        for y, row in zip(ys, cells, strict=True)
    ]
    return lines


def channel_planes(pixels: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """("", grey) for a grey picture; ("R", red), ("G", green), ("B", blue) for a colour one."""
    return (
        [("", pixels)]
        if pixels.ndim == 2
        else [(name, pixels[..., i]) for i, name in enumerate("RGB")]
    )


def before_after_grids(
    before: np.ndarray,
    after: np.ndarray,
    box: tuple[slice, slice],
    centre: tuple[int, int] | None,
    title: str,
) -> tuple[list[dict], list[str]]:
    """The numbers before and after, channel by channel, as data and as text. `after` may be the
    smaller valid-mode result: `box` says where it sits, and the pixels it lacks print as '.'."""
    window = grid_window(before.shape, centre)
    placed = np.full(before.shape[:2] + after.shape[2:], np.nan)
    placed[box] = after
    data, text = [], []
    for (name, plane), (_, result) in zip(
        channel_planes(before), channel_planes(placed), strict=True
    ):
        data.append(
            {
                "channel": name,
                "x": window[1].start,
                "y": window[0].start,
                "before": plane[window].tolist(),
                "after": [[None if np.isnan(v) else int(v) for v in row] for row in result[window]],
            }
        )
        suffix = f", channel {name}" if name else ""
        text += [
            f"Before{suffix}:",
            *grid_lines(plane, window),
            f"After ({title}){suffix}:",
            *grid_lines(result, window),
            "",
        ]
    return data, text
