"""`neuroflow doctor`: the lesson's install check, done properly.

Reports library versions, torch threads, CPU features and where data and cache live; names what is
wrong.
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from neuroflow.config import cache_dir, data_dirs, usable_cores

LIBRARIES = [
    "torch",
    "numpy",
    "pandas",
    "scikit-learn",
    "matplotlib",
    "Pillow",
    "scipy",
    "safetensors",
    "onnxruntime",
    "optuna",
]
REQUIRED = {"torch", "numpy", "pandas", "scikit-learn", "matplotlib", "Pillow", "safetensors"}


@dataclass
class DoctorReport:
    python: str
    versions: dict[str, str | None]
    torch_threads: int | None
    cpu: dict[str, object]
    data_dirs: list[dict[str, object]]
    cache: dict[str, object]
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "python": self.python,
            "versions": self.versions,
            "torch_threads": self.torch_threads,
            "cpu": self.cpu,
            "data_dirs": self.data_dirs,
            "cache": self.cache,
            "healthy": self.healthy,
            "problems": self.problems,
        }

    def text(self) -> str:
        ok = lambda good: "ok " if good else "!! "  # noqa: E731
        lines = [f"{ok(sys.version_info >= (3, 11))}Python {self.python}"]
        for name, version in self.versions.items():
            lines.append(
                f"{ok(version or name not in REQUIRED)}{name:13s} {version or 'not installed'}"
            )
        lines.append(
            f"ok torch threads {self.torch_threads} (cores available: {self.cpu['cores']})"
        )
        flags = ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in self.cpu["features"].items())
        lines.append(f"ok CPU {self.cpu['model']} ({flags})")
        for entry in self.data_dirs:
            state = (
                "exists"
                if entry["exists"]
                else ("a FILE, not a folder" if Path(entry["path"]).exists() else "not created yet")
            )
            lines.append(
                f"{ok(state != 'a FILE, not a folder')}data folder {entry['path']} ({state})"
            )
        lines.append(
            f"{ok(self.cache['writable'])}cache {self.cache['path']} "
            f"({'writable' if self.cache['writable'] else 'NOT writable'})"
        )
        if self.problems:
            lines.append("Problems:")
            lines += [f"  - {p}" for p in self.problems]
        else:
            lines.append("Everything needed is installed and working.")
        return "\n".join(lines)


def run_checks(data_dir: str | None = None) -> DoctorReport:
    problems: list[str] = []
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
            if name in REQUIRED:
                problems.append(
                    f"{name} is not installed: run 'make install' or 'pip install -e .'"
                )
    if sys.version_info < (3, 11):  # noqa: UP036  (doctor runs on whatever Python the user has)
        problems.append(
            f"Python {platform.python_version()} is too old: neuroflow needs 3.11 or newer"
        )
    threads = None
    if versions["torch"]:
        try:
            from neuroflow.config import configure_torch

            threads = configure_torch()
        except Exception as err:  # a broken torch install is what doctor is for
            problems.append(
                f"torch does not import ({err}): reinstall with 'pip install torch==2.13.0'"
            )
    for folder in data_dirs(data_dir):
        if folder.exists() and not folder.is_dir():
            problems.append(
                f"data folder {folder} is a file: give a folder with --data-dir or $NEUROFLOW_DATA"
            )
    cache = cache_dir()
    writable = _writable(cache)
    if not writable:
        problems.append(
            f"cache folder {cache} is not writable: set NEUROFLOW_CACHE to a writable folder"
        )
    return DoctorReport(
        python=platform.python_version(),
        versions=versions,
        torch_threads=threads,
        cpu=cpu_info(),
        data_dirs=[{"path": str(d), "exists": d.is_dir()} for d in data_dirs(data_dir)],
        cache={"path": str(cache), "writable": writable},
        problems=problems,
    )


def cpu_info() -> dict[str, object]:
    flags: set[str] = set()
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
            elif line.startswith("model name") and model in (
                "",
                platform.machine(),
                platform.processor(),
            ):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "model": model,
        "cores": usable_cores(),
        "features": {"AVX2": "avx2" in flags, "FMA": "fma" in flags, "AVX-512": "avx512f" in flags},
    }


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
        return True
    except OSError:
        return False
