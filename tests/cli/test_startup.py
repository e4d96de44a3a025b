"""neuroflow.cli.startup: torch imports through the hook with nothing left behind, and the pinned
torch still has the code the tricks rely on (a new torch fails here first)."""

import importlib.metadata
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from neuroflow.cli.startup import frame_info_without_context

CHECK = """
import importlib.machinery, importlib.resources, inspect, sys
from neuroflow.cli import startup
full = inspect.getframeinfo
startup.install()
import torch
assert inspect.getframeinfo is full, "getframeinfo is the standard one again"
assert not any(type(f).__name__ == "_TorchFinder" for f in sys.meta_path), "the hook removed itself"
assert isinstance(torch.__loader__, importlib.machinery.SourceFileLoader)
assert torch.__spec__.loader is torch.__loader__
assert importlib.resources.files("torch").joinpath("__init__.py").is_file()
assert float(torch.ones(3).sum()) == 3.0
print("ok")
"""


def run_fresh(code: str, *args: str) -> None:
    """Run `code` in a new Python process (torch not loaded yet) and check it printed "ok"."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_torch_imports_through_the_hook_and_leaves_nothing_behind():
    run_fresh(CHECK)


def test_the_hook_gives_torch_the_same_file_and_line():
    frame = inspect.currentframe()
    full, quick = inspect.getframeinfo(frame), frame_info_without_context(frame)
    assert (quick.filename, quick.lineno, quick.function) == (
        full.filename,
        full.lineno,
        full.function,
    )
    assert quick.code_context is None and full.code_context is not None


GC_CHECK = """
import gc, sys
from neuroflow.cli import startup
if sys.argv[1] == "off":
    gc.disable()
startup.install()
import torch
if sys.argv[1] == "off":  # the caller's choice stands, and nothing is frozen
    assert not gc.isenabled() and gc.get_freeze_count() == 0
else:
    assert gc.isenabled(), "the collector runs again after torch's import"
    assert gc.get_freeze_count() > 10000, "torch's objects are frozen"
print("ok")
"""


@pytest.mark.parametrize("collector", ["on", "off"])
def test_the_collector_runs_again_after_torch_and_skips_its_objects(collector):
    run_fresh(GC_CHECK, collector)


def _torch_file(relative: str) -> str:
    """A torch source file's text, read without importing torch."""
    root = Path(importlib.util.find_spec("torch").origin).parent
    return (root / relative).read_text(encoding="utf-8")


def test_the_tricks_are_made_for_the_pinned_torch():
    version = importlib.metadata.version("torch")
    assert version.split("+")[0] == "2.13.0", (
        f"torch {version} is not the release neuroflow.cli.startup was made for: check that its "
        "import still calls inspect.getframeinfo for file:line only, then update this pin"
    )


def test_torch_asks_getframeinfo_for_file_and_line_only():
    """The getframeinfo hook is safe only while torch keeps just the file name and line number."""
    source = _torch_file("_library/utils.py")
    assert "frame = inspect.getframeinfo(sys._getframe(stacklevel))" in source
    assert 'source = f"{frame.filename}:{frame.lineno}"' in source


def test_torch_is_imported_by_a_source_loader_the_hook_can_wrap():
    spec = importlib.util.find_spec("torch")
    assert type(spec.loader).__name__ == "SourceFileLoader"
    assert hasattr(spec.loader, "exec_module") and hasattr(spec.loader, "create_module")
