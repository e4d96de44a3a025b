import inspect
import subprocess
import sys

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
