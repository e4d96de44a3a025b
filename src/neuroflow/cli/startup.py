"""Start-up tricks of the command line: import torch without looking up the source of every module
loaded so far, and without Python's garbage collector sweeping torch's objects over and over.

While torch imports, it registers its custom operators and asks `inspect.getframeinfo` for each
caller's "file:line" (torch._library.utils.get_source). With the default of one line of context,
each such call also reads the line's source, and `inspect.getmodule` maps every module loaded so
far to its real path on the way. torch keeps only the file name and line number, so `install()`
makes those calls ask for no context during torch's own import: the strings are the same and the
lookups are skipped. The first import of torch removes the hook, and getframeinfo is the standard
one again.

The cyclic garbage collector runs hundreds of times during torch's import, each time walking every
object created so far. So it is paused while torch imports, and every object then alive is frozen
(`gc.freeze`) so that later collections skip them. The objects torch's import leaves in cycles stay
too, since freeing them gives back no memory; only the command line installs the hook, and its
processes are short.

tests/cli/test_startup.py pins the torch release and the code these tricks rely on.
"""

from __future__ import annotations

import gc
import importlib.util
import inspect
import sys


def install() -> None:
    """Speed up the coming `import torch` (a no-op once torch is loaded)."""
    if "torch" not in sys.modules and not any(isinstance(f, _TorchFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _TorchFinder())


_FULL = inspect.getframeinfo


def frame_info_without_context(frame, context: int = 1) -> inspect.Traceback:
    return _FULL(frame, 0)


class _TorchFinder:  # a meta path finder
    """Finds nothing itself: hands torch's own spec back with a loader that wraps its import."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


class _Loader:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        module.__loader__ = module.__spec__.loader = self.loader  # torch sees its usual loader
        inspect.getframeinfo = frame_info_without_context
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.loader.exec_module(module)
        finally:
            inspect.getframeinfo = _FULL
            if collecting:
                gc.freeze()
                gc.enable()
