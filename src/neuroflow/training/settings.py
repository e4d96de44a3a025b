"""The settings of one training run: flags win over the spec, the spec over Keras-like defaults."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from neuroflow.errors import UsageError
from neuroflow.training.optimizers import OPTIMIZERS, SCHEDULES

FROM_SPEC = (
    "epochs", "batch_size", "lr", "optimizer", "augment", "schedule", "betas",
    "weight_decay", "label_smoothing", "early_stopping", "outlier_exposure",
)  # fmt: skip
ZERO_DEFAULTS = ("weight_decay", "label_smoothing")


@dataclass
class TrainSettings:
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    optimizer: str | None = None
    seed: int = 0
    early_stopping: int | None = None
    augment: str | list | None = None
    on_nan: str = "stop"
    schedule: str | None = None
    betas: list[float] | None = None
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    # outlier exposure: weight of the uniform-output loss on synthetic non-examples (0: none; None:
    # the spec's, else none)
    outlier_exposure: float | None = None

    def resolved(self, spec: dict) -> TrainSettings:
        """Flags win over the spec, the spec over Keras-like defaults; every value checked."""
        s = TrainSettings(**asdict(self))
        for f in FROM_SPEC:
            # None means "not given" (0 is a value to check), but for the fields whose default is
            # 0.0
            given = getattr(s, f)
            if (given is None or (f in ZERO_DEFAULTS and given == 0.0)) and spec.get(f) is not None:
                setattr(s, f, spec[f])
        s.epochs = 10 if s.epochs is None else s.epochs
        s.batch_size = 32 if s.batch_size is None else s.batch_size
        s.lr = 0.001 if s.lr is None else s.lr
        s.optimizer = OPTIMIZERS.resolve(str(s.optimizer or "adam"))
        s.outlier_exposure = 0.0 if s.outlier_exposure is None else s.outlier_exposure
        if s.schedule is not None:
            s.schedule = SCHEDULES.resolve(s.schedule)
        s.check()
        return s

    def check(self) -> None:
        _check_int("epochs", self.epochs, 1, 100_000)
        _check_int("batch size", self.batch_size, 1, 1_000_000)
        _check_int("seed", self.seed, 0, 2**63 - 1)
        if self.early_stopping is not None:
            _check_int("early-stopping patience", self.early_stopping, 1, 100_000)
        lr = self.lr
        if not (isinstance(lr, int | float) and math.isfinite(lr) and 0 < lr <= 10):
            raise UsageError(
                f"learning rate {lr} is out of range", "give --lr between 0 and 10, e.g. 0.001"
            )
        exposure = self.outlier_exposure
        if isinstance(exposure, bool) or not (
            isinstance(exposure, int | float) and math.isfinite(exposure) and 0 <= exposure <= 10
        ):
            raise UsageError(
                f"outlier exposure {exposure} is out of range",
                "give --outlier-exposure from 0 (none) to 10, e.g. 0.5",
            )
        if self.on_nan not in ("stop", "continue"):
            raise UsageError(
                f"--on-nan {self.on_nan!r} is not understood",
                "use --on-nan stop or --on-nan continue",
            )


def _check_int(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(
            f"{name} must be a whole number from {low} to {high:,}, not {value!r}",
            f"fix the {name}",
        )
