"""Entry point of the `neuroflow` command: imports each command module so it registers on the app.

Command modules import torch and the heavy libraries inside their functions, so `--help` stays fast.
"""

from __future__ import annotations

from neuroflow.cli import (  # noqa: F401  (each module registers its commands)
    basics,
    convolve,
    data,
    evaluate,
    filters,
    predict,
    share,
    train,
    tune,
)
from neuroflow.cli.app import app, run_app


def main() -> None:
    raise SystemExit(run_app())


__all__ = ["app", "main"]
