"""Own pictures opened safely (any mode, size checked before decoding) and turned into arrays:
resized as they are, listed from files and folders, resized in batches."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from neuroflow.errors import DataError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
MAX_PIXELS = 50_000_000  # refused before decoding: a bigger header may be a decompression bomb
# A prediction shrinks every picture to the model's size (at most 128 a side by default): it decodes
# at most this many pixels, a large phone photo; a JPEG beyond it is decoded at a reduced scale.
PREDICT_MAX_PIXELS = 16_000_000
GREY_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")
READABLE = "give a PNG, JPEG, BMP, GIF, TIFF or WebP picture"


def open_image(path: str | os.PathLike, max_pixels: int = MAX_PIXELS):
    """Open and decode a picture, upright as a photo viewer shows it; every failure is a DataError
    naming the file. At most `max_pixels` are decoded (a JPEG is decoded at a smaller scale)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(
            f"image {path} {'is a folder' if path.is_dir() else 'does not exist'}", READABLE
        )
    if path.stat().st_size == 0:
        raise DataError(f"image {path} is an empty file (0 bytes)", READABLE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(
                path
            ) as img:  # reads only the header: the size is checked before any decoding
                width, height = img.size
                if width * height > max_pixels and img.format == "JPEG":
                    scale = math.ceil(math.sqrt(width * height / max_pixels))
                    img.draft(img.mode, (width // scale, height // scale))
                    width, height = img.size
                if width * height > max_pixels:
                    raise DataError(
                        f"image {path} claims {width}x{height} pixels "
                        f"({width * height / 1e6:.0f} megapixels)",
                        f"shrink it below {max_pixels / 1e6:g} megapixels first",
                    )
                if width * height == 0:
                    raise DataError(f"image {path} has no pixels ({width}x{height})", READABLE)
                img.load()
                return ImageOps.exif_transpose(img)
    except Image.DecompressionBombError:
        raise DataError(
            f"image {path} is larger than Pillow will decode",
            f"shrink it below {max_pixels / 1e6:g} megapixels first",
        ) from None
    except UnidentifiedImageError:
        raise DataError(f"{path} is not a picture neuroflow can read", READABLE) from None
    except PermissionError:
        raise  # not a damaged file: the command line's one line names the path and the permissions
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as err:
        raise DataError(
            f"cannot read image {path} ({err})",
            "the file may be truncated or damaged; save it again",
        ) from None


def to_array(img, channels: int = 1) -> np.ndarray:
    """Any Pillow mode → uint8 (H, W) grey or (H, W, 3) colour; transparency is laid on a
    contrasting background."""
    from PIL import Image

    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        grey = np.asarray(img, dtype=np.float64)
        top = grey.max()
        # 16-bit and float pictures: full range is 0..65535 (or 0..1 for floats), else stretch what
        # is there
        scale = (
            255 / 65535
            if 255 < top <= 65535
            else (255.0 if 0 < top <= 1 and img.mode == "F" else 1.0)
        )
        if top > 65535:
            grey = (grey - grey.min()) * (255 / max(np.ptp(grey), 1e-12))
            scale = 1.0
        grey = np.clip(np.rint(grey * scale), 0, 255).astype(np.uint8)
        return grey if channels == 1 else np.repeat(grey[..., None], 3, axis=2)
    if img.mode == "LAB":  # Pillow cannot convert LAB; its first band is the lightness
        grey = np.asarray(img)[..., 0]
        return grey if channels == 1 else np.repeat(grey[..., None], 3, axis=2)
    if img.mode == "P" or "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "La", "RGBa", "PA"):
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float32)
        alpha = rgba[..., 3:] / 255
        rgb = rgba[..., :3]
        luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
        weight = alpha[..., 0]
        ink = float((luma * weight).sum() / weight.sum()) if weight.sum() > 0 else 0.0
        # Dark strokes on a transparent sheet go on white, light strokes on black: the drawing stays
        # visible.
        background = 255.0 if ink < 128 else 0.0
        img = Image.fromarray(
            np.rint(rgb * alpha + background * (1 - alpha)).astype(np.uint8), "RGB"
        )
    if img.mode not in ("1", "L", "RGB"):
        img = img.convert("RGB")  # CMYK, YCbCr, HSV: through RGB so the grey is the usual luma
    mode = "L" if channels == 1 else "RGB"
    return np.asarray(img if img.mode == mode else img.convert(mode))


def is_grey(img) -> bool:
    """True when a picture holds no colour: a grey mode, or colour channels that are all equal."""
    if img.mode in GREY_MODES:
        return True
    rgb = to_array(img, 3)
    return bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


def prepare_resize(img, height: int, width: int, channels: int) -> np.ndarray:
    """Plain conversion to grey or colour and resize to height × width: uint8 (H, W, C)."""
    from PIL import Image

    arr = to_array(img, channels)
    if arr.shape[:2] != (height, width):
        arr = np.asarray(
            Image.fromarray(arr).resize((width, height), Image.LANCZOS, reducing_gap=3.0)
        )
    return arr.reshape(height, width, channels)


def prepare_crop(img, height: int, width: int, resize: int) -> np.ndarray:
    """As ImageNet networks were fed: colour, the shorter side resized to `resize`, the centre
    height × width cut out: uint8 (H, W, 3). Nothing is stretched, so a photo keeps its shapes."""
    from PIL import Image

    arr = to_array(img, 3)
    h, w = arr.shape[:2]
    scale = resize / min(h, w)
    new_h, new_w = max(height, round(h * scale)), max(width, round(w * scale))
    if (new_h, new_w) != (h, w):
        arr = np.asarray(
            Image.fromarray(arr).resize((new_w, new_h), Image.BICUBIC, reducing_gap=3.0)
        )
    top, left = (new_h - height) // 2, (new_w - width) // 2
    return np.ascontiguousarray(arr[top : top + height, left : left + width])


def list_images(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Picture files from files and folders (folders: every image inside, sorted, hidden files
    skipped)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files: list[Path] = []
    for item in map(Path, paths):
        item = item.expanduser()
        if item.is_dir():
            found = sorted(
                p
                for p in item.rglob("*")
                if p.suffix.lower() in IMAGE_EXTENSIONS
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(item).parts)
            )
            if not found:
                raise DataError(
                    f"folder {item} holds no pictures",
                    f"put {', '.join(IMAGE_EXTENSIONS)} files in it",
                )
            files += found
        elif item.is_file():
            files.append(item)
        else:
            raise DataError(f"{item} does not exist", "check the path of the picture or folder")
    if not files:
        raise DataError("no pictures given", "name picture files or a folder of them")
    return files


def resize_batch(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize uint8 images (N, H, W[, C]) to `size` in one vectorised pass (antialiased when
    shrinking)."""
    import torch
    import torch.nn.functional as F

    squeeze = x.ndim == 3
    x4 = x[..., None] if squeeze else x
    out = np.empty((len(x4), *size, x4.shape[3]), np.uint8)
    for start in range(0, len(x4), 8192):  # chunks keep the float copy small
        chunk = (
            torch.from_numpy(np.ascontiguousarray(x4[start : start + 8192]))
            .permute(0, 3, 1, 2)
            .float()
        )
        resized = F.interpolate(
            chunk, size=size, mode="bilinear", antialias=True, align_corners=False
        )
        out[start : start + len(chunk)] = (
            resized.round_().clamp_(0, 255).permute(0, 2, 3, 1).to(torch.uint8).numpy()
        )
    return out[..., 0] if squeeze else out
