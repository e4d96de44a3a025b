"""What neuroflow says when input is wrong.

Every error a user can cause is a NeuroflowError: one line naming the problem and a hint naming the
fix. The CLI prints it and exits with `exit_code` (2 for bad input or usage, 1 for a failed check).
"""

from __future__ import annotations


class NeuroflowError(Exception):
    """Bad input or usage: `message` says what is wrong, `hint` how to fix it."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        line = self.message.rstrip(".")
        if self.hint:
            hint = self.hint.rstrip(".")
            line += f". {hint[:1].upper()}{hint[1:]}"
        return " ".join(line.split()) + "."


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (a newline in a class name, an escape
    sequence) and names that are not UTF-8 are shown as their escapes instead of acting."""
    return "".join(_printable_char(c) for c in str(text))


def _printable_char(c: str) -> str:
    if c.isprintable():
        return c
    if "\udc80" <= c <= "\udcff":  # a byte of a file name that was not UTF-8 (surrogateescape)
        return f"\\x{ord(c) - 0xDC00:02x}"
    return c.encode("unicode_escape").decode("ascii")


# The command line's flags that carry another name, or are switches, as Python arguments.
_PYTHON_NAMES = {
    "from": "parent= (or base= for a pretrained network)",
    "quiet": 'progress="quiet"',
    "no-preprocess": "raw=True",
}
_SWITCHES = ("strict", "new-head", "augment-test", "grayscale", "force", "json", "pretrained")


def in_python_words(err: NeuroflowError) -> NeuroflowError:
    """The same error with the command line's flags named as the Python arguments that carry them
    (`--out` → `out=`, `--batch-size` → `batch_size=`), for errors raised to a Python caller."""
    import re

    def word(match: re.Match) -> str:
        flag = match.group(1)
        if flag in _PYTHON_NAMES:
            return _PYTHON_NAMES[flag]
        return flag.replace("-", "_") + ("=True" if flag in _SWITCHES else "=")

    def said(text: str | None) -> str | None:
        if text is None:
            return None
        return re.sub(r"(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:=(?=\S))?", word, text)

    message, hint = said(err.message), said(err.hint)
    if (message, hint) == (err.message, err.hint):
        return err
    translated = type(err).__new__(type(err))
    translated.__dict__.update(err.__dict__)
    translated.message, translated.hint = message, hint
    translated.args = (message,)
    return translated


class DataError(NeuroflowError):
    """A dataset, CSV, IDX file or image that cannot be used."""


class SpecError(NeuroflowError):
    """A model spec or recipe that cannot be built."""


class ModelFileError(NeuroflowError):
    """A model folder, bundle or weights file that cannot be loaded safely."""


class UsageError(NeuroflowError):
    """A flag or argument out of range, or options that do not go together."""


class CheckFailed(NeuroflowError):
    """A check that ran and failed (doctor, an evaluation threshold): exit status 1."""

    exit_code = 1


class TrainingStopped(NeuroflowError):
    """Training ended early (non-finite loss, interrupt); the last good epoch is saved."""

    exit_code = 1
