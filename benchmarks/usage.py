"""`python -m benchmarks.NAME --help` for the benchmarks that take their arguments by position:
the module's docstring, then exit, instead of starting a run of minutes."""

from __future__ import annotations

import sys


def help_asked(doc: str | None) -> None:
    """Print `doc` and exit 0 when the command line asks for help."""
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print((doc or "").strip())
        raise SystemExit(0)
