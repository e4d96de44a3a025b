"""neuroflow: deep learning on an ordinary laptop, from the single neuron to a shared model.

import neuroflow as nf
ds = nf.load_dataset("iris")
model = nf.train(ds, model="iris-mlp", epochs=100)
nf.evaluate(model, ds)
nf.predict(model, rows)
nf.explain(model, rows)  # why each answer
model.save("iris-model"); nf.load("iris-model")
"""

from __future__ import annotations

from neuroflow._version import __version__

# Heavy parts load on first use, so `import neuroflow` stays cheap.
_LAZY = {
    "NeuroflowError": "neuroflow.errors",
    "neuron_output": "neuroflow.neuron",
    "Dataset": "neuroflow.api",
    "Model": "neuroflow.api",
    "Prediction": "neuroflow.api",
    "load_dataset": "neuroflow.api",
    "train": "neuroflow.api",
    "evaluate": "neuroflow.api",
    "predict": "neuroflow.api",
    "explain": "neuroflow.api",
    "importances": "neuroflow.api",
    "load": "neuroflow.api",
    "tune": "neuroflow.api",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        found = getattr(importlib.import_module(_LAZY[name]), name)
        return (
            _python_words(found)
            if _LAZY[name] == "neuroflow.api" and _is_function(found)
            else found
        )
    raise AttributeError(f"module 'neuroflow' has no attribute {name!r}")


def _is_function(value) -> bool:
    import inspect

    return inspect.isfunction(value)


def _python_words(function):
    """`function` raising its errors with Python's argument names where the command line's flags
    stood (`out=`, not `--out`): one library serves both, and each caller reads its own words."""
    import functools

    from neuroflow.errors import NeuroflowError, in_python_words

    @functools.wraps(function)
    def called(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except NeuroflowError as err:
            translated = in_python_words(err)
            if translated is err:
                raise
            raise translated from None

    return called
