"""The Typer application every command module registers on, and how errors reach the user.

Bad input ends in one line and exit status 2, never a traceback (NEUROFLOW_DEBUG=1 shows it).
"""

from __future__ import annotations

import os
import sys

import typer

from neuroflow.errors import printable

app = typer.Typer(
    name="neuroflow",
    help="Deep learning on an ordinary laptop: learn it, do it, share it safely.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        from neuroflow._version import __version__

        print(f"neuroflow {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        help="Show neuroflow's version and exit.",
    ),
) -> None:
    # the options that come before any command; `help` stays the app's own
    pass


def fail(message: str, code: int = 2) -> None:
    """Print one error line to stderr and exit."""
    print(f"error: {printable(' '.join(str(message).split()))}", file=sys.stderr)
    raise SystemExit(code)


# Flags that take several values, as in `--inputs 0 0.5 1`; click options take one, so these are
# joined into one.
MULTI_VALUE_FLAGS = {"--inputs", "--weights"}


def _join_multi_values(argv: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(argv):
        out.append(argv[i])
        if argv[i] in MULTI_VALUE_FLAGS:
            values = []
            while i + 1 < len(argv) and not _is_flag(argv[i + 1]):
                i += 1
                values.append(argv[i])
            if values:
                out.append(" ".join(values))
        i += 1
    return out


def _is_flag(token: str) -> bool:
    if not token.startswith("-") or token == "-":
        return False
    try:
        float(token)
        return False
    except ValueError:
        return True


def run_app(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into one line and an exit status."""
    debug = os.environ.get("NEUROFLOW_DEBUG") == "1"
    try:
        argv = _join_multi_values(sys.argv[1:] if argv is None else list(argv))
        result = typer.main.get_command(app).main(
            args=argv, standalone_mode=False, prog_name="neuroflow"
        )
        # typer turns Ctrl-C into a silent Exit(130), returned when not standalone
        if result == 130:
            fail("interrupted", 130)
        # click returns an Exit's code when not standalone
        return result if isinstance(result, int) else 0
    except SystemExit:
        raise
    except (Exception, KeyboardInterrupt) as err:
        return _exit_status(err, debug)


def _exit_status(err: BaseException, debug: bool) -> int:
    """One line for `err` on stderr and its exit status (SystemExit); 0 or an Exit's own status
    when nothing failed. With NEUROFLOW_DEBUG=1, bad input and bugs keep their traceback."""
    try:  # typer >= 0.2x vendors click; older releases use click itself
        from typer._click import exceptions as click
    except ImportError:  # pragma: no cover
        from click import exceptions as click

    from neuroflow.errors import NeuroflowError

    if isinstance(err, NeuroflowError):
        if debug:
            raise err
        fail(str(err), err.exit_code)
    if isinstance(err, click.NoArgsIsHelpError):
        if err.ctx:
            print(err.ctx.get_help())
        return 0
    if isinstance(err, click.UsageError):
        path = err.ctx.command_path if err.ctx else "neuroflow"
        fail(f"{err.format_message()} (see '{path} --help')", 2)
    if isinstance(err, typer.Exit):
        return err.exit_code
    if isinstance(err, typer.Abort | KeyboardInterrupt):
        fail("interrupted", 130)
    if isinstance(err, MemoryError):
        fail("ran out of memory; try a smaller --batch-size or a smaller dataset", 1)
    if debug:
        raise err
    if isinstance(err, OSError):
        where = f": {err.filename}" if getattr(err, "filename", None) else ""
        fail(f"{err.strerror or err}{where}; check the path, its permissions and free disk space")
    # a bug: say so in one line, keep the traceback for debugging
    fail(
        f"internal error ({type(err).__name__}: {err}); rerun with NEUROFLOW_DEBUG=1 "
        "and report it with the traceback",
        1,
    )
    return 1
