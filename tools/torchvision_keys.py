"""tests/models/torchvision_keys.json made from torchvision's own model code, and neuroflow's
published networks checked against it: keys, shapes, layer settings and outputs.

torchvision's compiled operators need the torch they were built for, so this reads only the
pure-Python model files out of its wheel beside stubs for what would load compiled code; nothing
is installed. Usage (the wheel's version is written into the fixture):

    PYTHONPATH=src python tools/torchvision_keys.py torchvision-0.29.1-cp311-...whl [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zipfile
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "models" / "torchvision_keys.json"
NETWORKS = ["resnet18", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0"]
COPIED = [  # pure Python, taken from the wheel as they are
    "_utils.py", "_internally_replaced_utils.py", "models/_api.py", "models/_meta.py",
    "models/_utils.py", "models/resnet.py", "models/mobilenetv3.py", "models/efficientnet.py",
    "ops/misc.py", "ops/stochastic_depth.py",
]  # fmt: skip
STUBS = {  # what the models import from modules that would load compiled code
    "__init__.py": "",
    "models/__init__.py": "",
    "ops/__init__.py": "from .stochastic_depth import StochasticDepth, stochastic_depth\n",
    "transforms/__init__.py": "",
    "transforms/_presets.py": (
        "from enum import Enum\n\n"
        "class InterpolationMode(Enum):\n    BILINEAR = 'bilinear'\n    BICUBIC = 'bicubic'\n\n"
        "class ImageClassification:\n    def __init__(self, *args, **kwargs):\n        pass\n"
    ),
    "utils.py": (
        "import collections.abc\nfrom itertools import repeat\n\n"
        "def _log_api_usage_once(obj):\n    pass\n\n"
        "def _make_ntuple(x, n):\n"
        "    return tuple(x) if isinstance(x, collections.abc.Iterable) else tuple(repeat(x, n))\n"
    ),
}


def import_torchvision(wheel: Path, into: Path) -> str:
    """torchvision's model code importable from `into`; returns the wheel's version."""
    package = into / "torchvision"
    with zipfile.ZipFile(wheel) as archive:
        for name in COPIED:
            (package / name).parent.mkdir(parents=True, exist_ok=True)
            (package / name).write_bytes(archive.read(f"torchvision/{name}"))
        version = archive.read("torchvision/version.py").decode()
    for name, text in STUBS.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    sys.path.insert(0, str(into))
    return version.split("__version__ = ")[1].split("\n")[0].strip("'\"").split("+")[0]


def torchvision_network(name: str):
    from importlib import import_module

    module = {"resnet18": "resnet", "efficientnet_b0": "efficientnet"}.get(name, "mobilenetv3")
    return getattr(import_module(f"torchvision.models.{module}"), name)(weights=None)


def keys_and_shapes(network) -> list[list]:
    return sorted([key, list(value.shape)] for key, value in network.state_dict().items())


def settings(network) -> dict[str, str]:
    """Each module with weights as its repr (strides, padding, groups, BatchNorm eps and momentum)
    keyed by its name, and the dropout and stochastic-depth rates in the order they are met."""
    import torch.nn as nn

    held = {name: repr(m) for name, m in network.named_modules()
            if any(True for _ in m.parameters(recurse=False))}  # fmt: skip
    rates = [round(m.p, 6) for m in network.modules() if isinstance(m, nn.Dropout)]
    depth = [round(getattr(m, "drop_prob", getattr(m, "p", 0.0)), 6) for m in network.modules()
             if type(m).__name__ in {"StochasticDepth", "DropPath"}]  # fmt: skip
    return {**held, "dropout": repr(rates), "stochastic depth": repr(depth)}


def compare(name: str, theirs) -> list[str]:
    """What differs between torchvision's `name` and neuroflow's, as lines."""
    import torch

    from neuroflow.models.pretrained import published

    ours = published(name).build(1000)
    problems = []
    if keys_and_shapes(ours) != keys_and_shapes(theirs):
        a, b = map(lambda n: {k: tuple(s) for k, s in keys_and_shapes(n)}, (theirs, ours))
        problems += [f"only torchvision: {k} {a[k]}" for k in sorted(set(a) - set(b))]
        problems += [f"only neuroflow: {k} {b[k]}" for k in sorted(set(b) - set(a))]
        problems += [
            f"shape {k}: {a[k]} vs {b[k]}" for k in sorted(set(a) & set(b)) if a[k] != b[k]
        ]
        return problems
    a, b = settings(theirs), settings(ours)
    problems += [f"{k}: torchvision {a[k]} vs neuroflow {b.get(k)}" for k in a if a[k] != b.get(k)]
    torch.manual_seed(0)
    for key, value in theirs.state_dict().items():  # BatchNorm's 0s and 1s made up too
        if value.dim() == 1 and value.is_floating_point():
            ones = key.endswith("running_var") or (key.endswith("weight") and value.min() == 1)
            value.copy_(
                torch.rand_like(value) * 0.5 + 0.75 if ones else torch.randn_like(value) * 0.1
            )
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(8, 3, 224, 224)
    for mode in ("eval", "training"):  # training: the same random draws for dropout and depth
        outputs = []
        for network in (theirs, ours):
            network.train(mode == "training")
            torch.manual_seed(1)
            with torch.no_grad():
                outputs.append(network(x))
        gap = (outputs[0] - outputs[1]).abs().max().item()
        print(f"{name} ({mode}): outputs differ by at most {gap:.3g} "
              f"(outputs' largest {outputs[0].abs().max():.3g})")  # fmt: skip
        if not torch.allclose(*outputs, rtol=1e-5, atol=1e-5):
            problems.append(f"{mode} outputs differ by {gap:.3g}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="a torchvision wheel (any platform's)")
    parser.add_argument("--write", action="store_true", help=f"write {FIXTURE.name}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        version = import_torchvision(args.wheel, Path(folder))
        import torch

        torch.manual_seed(0)
        theirs = {name: torchvision_network(name) for name in NETWORKS}
        if args.write:
            fixture = {"note": f"state-dict keys and shapes of torchvision {version}'s networks, "
                       "from its model code by tools/torchvision_keys.py"}  # fmt: skip
            fixture |= {name: keys_and_shapes(net) for name, net in theirs.items()}
            lines = ",\n".join(
                f"  {json.dumps(k)}: " + (json.dumps(v) if k == "note" else
                "[\n" + ",\n".join(f"    {json.dumps(e)}" for e in v) + "\n  ]")
                for k, v in fixture.items()
            )  # fmt: skip
            FIXTURE.write_text("{\n" + lines + "\n}\n")
        failures = 0
        for name, network in theirs.items():
            for line in compare(name, network):
                print(f"{name}: {line}")
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
