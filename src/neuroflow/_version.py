"""The version of neuroflow, written into every model folder it saves."""

__version__ = "0.1.0"
