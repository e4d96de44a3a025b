"""The examples a run trains on: in-memory batches, augmentation, and synthetic non-examples.

Inverted copies are added once (the lesson's INVERT); random augmentation and the non-examples of
outlier exposure are drawn per batch from their own seeded generators.
"""

from __future__ import annotations

import torch

from neuroflow.data.outliers import make_outliers, uniform_loss
from neuroflow.training.batches import ArrayData, image_scale

GENERATORS = ("shuffle", "augment", "outliers")


class TrainData:
    def __init__(self, dataset, settings, strategy):
        self.seed = settings.seed
        scale = image_scale(dataset.preprocessing)
        x, y = dataset.x_train, dataset.y_train
        self.augmenter = None
        if settings.augment:
            from neuroflow.data.augment import Augmenter, add_inverted

            augmenter = Augmenter.from_spec(settings.augment)
            if augmenter.invert:
                x, y = add_inverted(x, y)
            self.augmenter = augmenter if augmenter.random_ops else None
        self.train = ArrayData(x, y, scale)
        self.val = ArrayData(dataset.x_val, dataset.y_val, scale)
        image_cls = dataset.kind == "image" and dataset.task == "classification"
        self.exposure = settings.outlier_exposure if image_cls else 0.0
        batch = strategy.batch_size(settings.batch_size)
        self.non_examples = max(1, batch // 4) if self.exposure else 0

    def generators(self) -> dict[str, torch.Generator]:
        return {n: torch.Generator().manual_seed(self.seed + i) for i, n in enumerate(GENERATORS)}

    def non_example_loss(self) -> tuple:
        return (uniform_loss, self.exposure)

    def batch(self, idx: torch.Tensor, generators: dict) -> tuple:
        """Inputs and labels of the examples at `idx`, augmented, and the batch's non-examples."""
        xb, yb = self.train.batch(idx)
        if self.augmenter is not None:
            xb = self.augmenter(xb, generators["augment"])
        extra = None
        if self.non_examples and len(xb):  # a process's part of a small last batch can be empty
            extra = make_outliers(xb, self.non_examples, generators["outliers"])
        return xb, yb, extra
