"""Decoding an image folder's pictures in DataLoader worker processes, chunk by chunk, into the
decoded cache's file, exactly as load_image_folder decodes them."""

from __future__ import annotations

import numpy as np

from neuroflow.errors import DataError

CHUNK = 64  # pictures per worker task
STRICT_HINT = "repair or remove it, or leave out --strict to skip unreadable pictures with a count"


def _write(file, data: bytes) -> int:
    return file.write(data)  # one place for the tests' full disk


def _as_is(item):
    return item


class _Decode:
    """Worker task: a chunk of files → their pixels as load_image_folder makes them (RGB and
    grey)."""

    def __init__(self, files, size, grayscale):
        self.files, self.size, self.grayscale = files, size, grayscale

    def __len__(self) -> int:
        return -(-len(self.files) // CHUNK)

    def __getitem__(self, chunk: int):
        from neuroflow.data.pictures.folders import _luma
        from neuroflow.data.pictures.images import is_grey, open_image, prepare_resize

        height, width = self.size
        start = chunk * CHUNK
        rows, ok, grey, errors = [], [], True, []
        for f in self.files[start : start + CHUNK]:
            try:
                img = open_image(f)
                if self.grayscale is None and grey:
                    grey = is_grey(img)
                rows.append(prepare_resize(img, height, width, 3))
                ok.append(True)
                errors.append("")
            except DataError as err:
                ok.append(False)
                errors.append(err.message)
        rgb = np.stack(rows) if rows else np.zeros((0, height, width, 3), np.uint8)
        want_rgb = self.grayscale is not True
        want_grey = self.grayscale is not False
        return (
            rgb if want_rgb else None,
            _luma(rgb) if want_grey else None,
            np.array(ok),
            grey,
            errors,
        )


def decode_into(tmp, root, files, size, grayscale, skipped, strict, workers):
    """Decode every file in worker processes, appending rows in file order; returns (kept mask, all
    grey)."""
    import torch

    from neuroflow.config import usable_cores

    skip_names = set(skipped)
    todo = [f for f in files if f.relative_to(root).as_posix() not in skip_names]
    workers = workers if workers is not None else max(1, min(4, usable_cores()))
    loader = torch.utils.data.DataLoader(
        _Decode(todo, size, grayscale),
        batch_size=None,
        num_workers=workers,
        collate_fn=_as_is,
    )
    ok_all, all_grey = [], True
    with open(tmp / "rgb.u8", "wb") as rgb_out, open(tmp / "grey.u8", "wb") as grey_out:
        for chunk, (rgb, grey_rows, ok, grey, errors) in enumerate(loader):
            for j in np.flatnonzero(~ok):
                if strict:
                    raise DataError(errors[j], STRICT_HINT)
                skipped.append(todo[chunk * CHUNK + j].relative_to(root).as_posix())
            all_grey = all_grey and grey
            if rgb is not None:
                _write(rgb_out, rgb.tobytes())
            if grey_rows is not None:
                _write(grey_out, grey_rows.tobytes())
            ok_all.append(ok)
    kept_todo = np.concatenate(ok_all) if ok_all else np.zeros(0, bool)
    order = {f.relative_to(root).as_posix(): i for i, f in enumerate(files)}
    skipped.sort(key=order.__getitem__)
    if not kept_todo.any():
        raise DataError(f"none of the pictures in {root} can be read", "check the files")
    kept = np.zeros(len(files), bool)
    kept[[i for i, f in enumerate(files) if f.relative_to(root).as_posix() not in skip_names]] = (
        kept_todo
    )
    return kept, all_grey
