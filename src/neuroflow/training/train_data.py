"""The examples a run trains on: batches from memory or streamed from disk, augmentation,
non-examples.

Inverted copies are added once (the lesson's INVERT); random augmentation and the non-examples of
outlier exposure are drawn per batch from their own seeded generators. A streamed dataset's batches
are read ahead by a DataLoader worker process, in the order the trainer takes them, so a batch holds
the same pixels as in memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from neuroflow.data.made_up.non_examples import make_non_examples, uniform_loss
from neuroflow.data.stream_rows import StreamRows
from neuroflow.errors import UsageError
from neuroflow.models.logits import image_scale, to_input
from neuroflow.training.batches import ArrayData

GENERATORS = ("shuffle", "augment", "outliers")
READ_AHEAD = 4  # batches a reader process keeps ready
# One non-example per this many examples of a batch. An eighth told the lesson's CNN's digits from
# letters and shapes as well as a quarter does, but left its 3-epoch test accuracy below 99%
# (benchmarks/RESULTS.md, "Outlier exposure").
EXAMPLES_PER_NON_EXAMPLE = 4


class TrainData:
    def __init__(self, dataset, settings, strategy):
        self.seed = settings.seed
        scale = image_scale(dataset.preprocessing)
        x, y = dataset.x_train, dataset.y_train
        self.augmenter = None
        if settings.augment:
            from neuroflow.data.pictures.augment import Augmenter, add_inverted

            augmenter = Augmenter.from_spec(settings.augment)
            if augmenter.invert:
                if isinstance(x, StreamRows):
                    x, y = x.with_inverted(), np.concatenate([y, y])
                else:
                    x, y = add_inverted(x, y)
            self.augmenter = augmenter if augmenter.random_ops else None
        self.train = ArrayData(x, y, scale)
        self.val = ArrayData(dataset.x_val, dataset.y_val, scale)
        self.streamed = isinstance(x, StreamRows)
        self._ahead: Iterator | None = None
        if settings.outlier_exposure and not (
            dataset.kind == "image" and dataset.task == "classification"
        ):
            raise UsageError(
                "outlier exposure teaches an image classifier what is none of its classes, and "
                f"this is {dataset.kind} {dataset.task}",
                "leave out --outlier-exposure (or outlier_exposure in the spec)",
            )
        self.exposure = settings.outlier_exposure
        batch = strategy.batch_size(settings.batch_size)
        self.non_examples = max(1, batch // EXAMPLES_PER_NON_EXAMPLE) if self.exposure else 0

    def generators(self) -> dict[str, torch.Generator]:
        return {n: torch.Generator().manual_seed(self.seed + i) for i, n in enumerate(GENERATORS)}

    def non_example_loss(self) -> tuple:
        return (uniform_loss, self.exposure)

    @contextlib.contextmanager
    def reading(self, batches: Sequence[torch.Tensor]) -> Iterator[None]:
        """While an epoch's `batches` (index tensors, in order) are taken: streamed rows are read
        ahead."""
        if not self.streamed or not batches:
            yield
            return
        loader = torch.utils.data.DataLoader(
            _Rows(self.train.x),
            batch_size=None,
            sampler=list(batches),
            num_workers=1,
            prefetch_factor=READ_AHEAD,
        )
        self._ahead = iter(loader)
        try:
            yield
        finally:
            self._ahead = None  # the reader process ends with its iterator

    def batch(self, idx: torch.Tensor, generators: dict) -> tuple:
        """Inputs and labels of the examples at `idx`, augmented, and the batch's non-examples."""
        if self._ahead is not None:
            xb, yb = (
                to_input(next(self._ahead), self.train.scale),
                self.train.y.index_select(0, idx),
            )
        else:
            xb, yb = self.train.batch(idx)
        if self.augmenter is not None:
            xb = self.augmenter(xb, generators["augment"])
        extra = None
        if self.non_examples and len(xb):  # a process's part of a small last batch can be empty
            extra = make_non_examples(xb, self.non_examples, generators["outliers"])
        return xb, yb, extra


class _Rows(torch.utils.data.Dataset):
    """A reader process's task: the pixels of one batch's rows, uint8 as in memory."""

    def __init__(self, rows: StreamRows):
        self.rows = rows

    def __getitem__(self, idx: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.rows.take(idx.numpy()))
