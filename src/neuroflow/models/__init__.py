"""A trained model: layers, specs and recipes, the network, and the model folder it is shared as."""

from neuroflow.models.model import Model

__all__ = ["Model"]
