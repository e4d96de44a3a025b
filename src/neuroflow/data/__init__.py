"""Datasets: built-in names, CSV tables, IDX files and image folders, split and ready to train
on."""

from neuroflow.data.dataset import Dataset
from neuroflow.data.registry import BUILTIN_DATASETS, load_dataset

__all__ = ["BUILTIN_DATASETS", "Dataset", "load_dataset"]
