"""Kernel convolution: the catalogue, convolving, kernels as text, pictures, and learned filters."""

from neuroflow.kernels.catalogue import KERNELS, Kernel, get_kernel, parse_kernel
from neuroflow.kernels.convolution import (
    MODES,
    clipped_fraction,
    convolve,
    mode_name,
    to_pixels,
    valid_box,
)
from neuroflow.kernels.explain import explain_pixel

__all__ = [
    "KERNELS",
    "MODES",
    "Kernel",
    "clipped_fraction",
    "convolve",
    "explain_pixel",
    "get_kernel",
    "mode_name",
    "parse_kernel",
    "to_pixels",
    "valid_box",
]
