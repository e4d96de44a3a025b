"""Entry point of the `neuroflow` command: imports each command module so it registers on the app.

Command modules import torch and the heavy libraries inside their functions, so `--help` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import sys

from neuroflow.cli import (  # noqa: F401  (each module registers its commands)
    basics,
    convolve,
    data,
    evaluate,
    explain,
    filters,
    predict,
    serve,
    share,
    startup,
    train,
    tune,
)
from neuroflow.cli.app import app, run_app


def main() -> None:
    startup.install()  # commands import torch inside their functions, so this comes first
    try:
        code = run_app()
    except SystemExit as done:
        code = done.code
    if "torch" not in sys.modules:
        raise SystemExit(code)
    # Python's own shutdown is slow once torch is loaded (longer than training Iris); every file
    # neuroflow writes is complete and renamed into place before this, so flush and leave now.
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, e.g. `neuroflow ... | head`
            stream.flush()
    os._exit(code)


__all__ = ["app", "main"]
