"""The trainer: setup, the epoch, the step, the end of an epoch, and the finish, in that order.

What varies plugs in: a strategy turns a batch into gradients (threads, processes), callbacks do
progress, checkpoints, early stopping and pruning. Ctrl-C or SIGTERM stop between batches.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from neuroflow.training import checkpoint as ckpt
from neuroflow.training.callbacks import Callback, Checkpoints, EarlyStopping
from neuroflow.training.interrupts import StopOnSignal, interrupted, nan_stop
from neuroflow.training.metrics import epoch_logs, loss_fn, validation_logs
from neuroflow.training.optimizers import make_optimizer, make_scheduler, optimizer_step
from neuroflow.training.progress import Progress
from neuroflow.training.settings import TrainSettings
from neuroflow.training.strategies import SplitBatch, StepLoss, Strategy
from neuroflow.training.train_data import TrainData


@dataclass
class TrainState:
    """What the loop changes as it goes, beside the weights; checkpoints carry all of it."""

    history: list[dict] = field(default_factory=list)
    epoch: int = 0  # the last complete epoch
    elapsed_s: float = 0.0
    best_loss: float = math.inf
    stale: int = 0  # epochs since the lowest val_loss
    best_weights: dict | None = None


class Trainer:
    def __init__(
        self, dataset, spec: dict, settings: TrainSettings, *, strategy: Strategy | None = None,
        callbacks: list[Callback] = (), progress: str = "auto", run_dir: str | Path | None = None,
        resume: bool = False, parent=None, freeze: str | None = None, new_head: bool = False,
        run_record: dict | None = None, name: str | None = None, base: dict | None = None,
    ):  # fmt: skip
        self.dataset, self.spec, self.settings = dataset, spec, settings.resolved(spec)
        self.strategy = strategy or SplitBatch()
        self.run_dir = Path(run_dir) if run_dir else None
        self.resume, self.run_record, self.name = resume, run_record, name
        self.parent, self.freeze, self.new_head = parent, freeze, new_head
        self.base = base  # {"network": NAME, "weights": FILE or None}: published weights
        self.progress = Progress(progress if self.strategy.is_chief else "quiet")
        self.callbacks = list(callbacks)
        self.state = TrainState()
        self.stop_training = False
        self.nan_batches, self.first_step_s = 0, None

    def note(self, text: str) -> None:
        self.progress.note(text)

    # setup ---------------------------------------------------------------------------------------
    def setup(self) -> None:
        from neuroflow.config import configure_torch, seed_everything
        from neuroflow.models.spec import build_network
        from neuroflow.training.features import cache_features, frozen_backbone
        from neuroflow.training.finetune import freeze_layers, starting_weights

        s, ds = self.settings, self.dataset
        # Tables are tiny matrices: a second thread costs more to wake than it saves.
        self.threads = configure_torch(1 if ds.kind == "table" else self.strategy.threads())
        seed_everything(s.seed)
        self.spec, self.network = build_network(self.spec, ds.input_shape, ds.n_outputs, ds.task)
        net = self.network
        loud = self.progress.mode != "quiet"
        self.lineage = starting_weights(net, self.parent, self.new_head, ds.class_names, self.base,
                                        loud)  # fmt: skip
        self.frozen = freeze_layers(net, self.freeze) if self.freeze else 0
        if self.run_dir is not None and self.strategy.is_chief:
            self.run_dir.mkdir(parents=True, exist_ok=True)  # only now: bad input leaves no folder
        self.data = TrainData(ds, s, self.strategy)
        self.generators = self.data.generators()
        cached = frozen_backbone(net)
        if cached:
            cache_features(self.data, net, self.generators, self.note)
        self.steps_per_epoch = math.ceil(len(self.data.train) / s.batch_size)
        self.params = [p for p in net.parameters() if p.requires_grad]
        self.optimizer = make_optimizer(s, self.params)
        self.scheduler = make_scheduler(s, self.optimizer, self.steps_per_epoch)
        image_batches = ds.kind == "image" and not cached
        parts = self.strategy.parts(net, self.threads, s.batch_size, image_batches)
        for i in range(parts):  # each part of a batch draws its Dropout masks from its own one
            self.generators[f"dropout{i}"] = torch.Generator().manual_seed(s.seed + 100 + i)
        self.is_cls = ds.task == "classification"
        loss = StepLoss(loss_fn(self.is_cls, s.label_smoothing), *self.data.non_example_loss())
        dropout = [self.generators[f"dropout{i}"] for i in range(parts)]
        self.strategy.setup(net, self.params, loss, dropout)
        if self.resume:
            self._restore()
        self._set_up_callbacks()

    def _set_up_callbacks(self) -> None:
        self.checkpoints = None
        if self.run_dir is not None and self.strategy.is_chief:
            self.checkpoints = Checkpoints(self.run_dir)
        ending = [EarlyStopping(self.settings.early_stopping), self.checkpoints]
        self.callbacks = [*self.callbacks, self.progress, *[c for c in ending if c]]
        for cb in self.callbacks:
            cb.on_train_start(self)
        patience = self.settings.early_stopping
        if self.state.history and patience and self.state.stale >= patience:
            self.stop_training = True

    def _restore(self) -> None:
        info, best = ckpt.restore_checkpoint(
            self.run_dir,
            network=self.network,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            generators=self.generators,
        )
        self.state = TrainState(
            info["history"],
            info["epoch"],
            info["elapsed_s"],
            info["best_loss"],
            info["stale"],
            best,
        )
        self.note(f"Resuming from epoch {info['epoch']} in {self.run_dir}")

    def checkpoint_state(self) -> dict:
        st = self.state
        info = {
            "epoch": st.epoch,
            "history": st.history,
            "elapsed_s": st.elapsed_s,
            "best_loss": st.best_loss,
            "stale": st.stale,
            "settings": asdict(self.settings),
            "run": self.run_record,
        }
        return dict(
            network=self.network,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            generators=self.generators,
            best_state=st.best_weights,
            info=info,
        )

    # the loop ------------------------------------------------------------------------------------
    def fit(self):
        """Train; returns the Model (not saved: the caller saves it)."""
        self.setup()
        self.t_fit = time.perf_counter()
        self.network.train()
        # Callbacks close (the last checkpoint reaches the disk) while signals are still only noted:
        # torchrun sends SIGTERM to every rank when one dies, and it must not cut that write short.
        with StopOnSignal() as self.stop, contextlib.closing(self.strategy):
            try:
                for epoch in range(self.state.epoch + 1, self.settings.epochs + 1):
                    if self.stop_training:
                        break
                    for cb in self.callbacks:
                        cb.on_epoch_start(self, epoch)
                    logs = self.epoch(epoch)
                    self.end_epoch(epoch, logs)
                return self.finish()
            finally:
                for cb in self.callbacks:
                    cb.close()
                self.data = None  # whoever keeps the trainer after fit keeps no training arrays

    def epoch(self, epoch: int) -> dict:
        t0 = time.perf_counter()
        perm = torch.randperm(len(self.data.train), generator=self.generators["shuffle"])
        self.totals = [0.0, 0, 0]  # loss × examples, correct, examples
        batches = list(self.strategy.batches(perm, self.settings.batch_size))  # its share
        with self.strategy.steps(), self.data.reading(batches):
            for step, idx in enumerate(batches, 1):
                self.step(epoch, step, idx)
                for cb in self.callbacks:
                    cb.on_step_end(self, step, self._train_logs())
                signame = self.strategy.stop_signal(self.stop.signal)
                if signame:
                    raise interrupted(signame, epoch, self.run_dir, self._saved_epoch())
        train_s = time.perf_counter() - t0
        self.totals = self.strategy.all_sum(self.totals)
        self._same_random_state()
        target_std = self.dataset.preprocessing.get("target_std", 1.0)
        val = self.strategy.from_chief(
            lambda: validation_logs(
                self.network, self.data.val, self.is_cls, target_std, self.settings.batch_size
            )
        )
        logs = {"epoch": epoch, **self._train_logs(), **val}
        logs["time_s"] = round(time.perf_counter() - t0, 3)
        logs["train_time_s"] = round(train_s, 3)  # the steps alone, without validation
        return logs

    def _same_random_state(self) -> None:
        """Every process continues from the chief's random states, which its checkpoint holds.

        Processes draw as many numbers as their part of a batch has examples, and a last batch
        divides unevenly: without this, a resumed process would continue other streams than the
        uninterrupted one. One process: its own states, unchanged.
        """
        if self.strategy.world_size == 1:
            return
        states = self.strategy.from_chief(
            lambda: (
                {"torch": torch.get_rng_state()}
                | {k: g.get_state() for k, g in self.generators.items()}
            )
        )
        torch.set_rng_state(states.pop("torch"))
        for name, state in states.items():
            self.generators[name].set_state(state)

    def step(self, epoch: int, step: int, idx: torch.Tensor) -> None:
        xb, yb, extra = self.data.batch(idx, self.generators)
        result = self.strategy(xb, yb, extra)
        if not math.isfinite(result.loss.item()):
            if self.settings.on_nan == "stop":
                raise nan_stop(epoch, step, self.run_dir, self._saved_epoch())
            self.nan_batches += 1
            return
        for p, g in zip(self.params, result.grads, strict=True):
            p.grad = g
        optimizer_step(self.optimizer)
        if self.scheduler is not None:
            self.scheduler.step()
        if self.first_step_s is None:
            self.first_step_s = time.perf_counter() - self.t_fit
        n = len(yb)
        self.totals[0] += result.data_loss.item() * n  # the data's loss, comparable with val_loss
        self.totals[2] += n
        if self.is_cls:
            self.totals[1] += int((result.logits.argmax(1) == yb).sum())

    def _train_logs(self) -> dict:
        total_loss, correct, seen = self.totals
        target_std = self.dataset.preprocessing.get("target_std", 1.0)
        return epoch_logs(total_loss, correct, seen, self.is_cls, target_std)

    def _saved_epoch(self) -> int | None:
        """The last epoch on disk, as the chief (the one that writes) knows it."""
        return self.strategy.from_chief(
            lambda: self.checkpoints.saved_epoch() if self.checkpoints else None
        )

    def end_epoch(self, epoch: int, logs: dict) -> None:
        self.state.epoch = epoch
        self.state.elapsed_s += logs["time_s"]
        self.state.history.append(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch, logs)

    def finish(self):
        from neuroflow.models.model import Model

        for cb in self.callbacks:
            cb.on_train_end(self)
        if self.nan_batches:
            self.note(
                f"Skipped {self.nan_batches} batches whose loss was not finite (--on-nan continue)."
            )
        self.network.eval()
        self.network.start = 0  # the whole network again, pictures in
        return Model(self.network, self.config(), self.state.history)

    def config(self) -> dict:
        from neuroflow.models.config import build_config, training_record

        training = training_record(
            asdict(self.settings),
            epochs_run=len(self.state.history),
            wall_time_s=self.state.elapsed_s,
            threads=self.threads,
            frozen_parameters=self.frozen,
            first_step_s=self.first_step_s,
        )
        if self.strategy.world_size > 1:
            training["world_size"] = self.strategy.world_size
        return build_config(self.dataset, self.spec, training, self.lineage, self.name)


def fit(dataset, spec: dict, settings: TrainSettings, **options):
    """Train `spec` on `dataset` with a Trainer (options as Trainer takes them); returns the
    Model."""
    return Trainer(dataset, spec, settings, **options).fit()
