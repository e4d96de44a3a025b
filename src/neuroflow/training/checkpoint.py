"""Checkpoints after every epoch: weights, optimizer state, RNG states, epoch and history, written
atomically.

They are written on a background thread, at most once a second: when epochs end faster than that,
the newest epoch's checkpoint replaces the one waiting its turn, and the newest is always written
before training reports what is saved (at the end, on Ctrl-C, on a NaN loss).

Tensors go to safetensors and everything else to JSON (no pickle), in a folder swapped in whole, so
a process killed at any moment leaves the last checkpoint written, complete, to resume from.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch

from neuroflow._version import __version__
from neuroflow.errors import ModelFileError, UsageError

FOLDER = "checkpoint"
# At most one write a second, so epochs of a few milliseconds never wait for the disk; a killed
# process loses at most this much training beyond its last checkpoint.
MIN_INTERVAL_S = 1.0
# What state.json and state.safetensors hold and how (docs/model-format.md): a checkpoint of another
# format, or of another neuroflow version (whose training could take other steps), is refused rather
# than resumed differently.
FORMAT = "neuroflow-checkpoint"
FORMAT_VERSION = 2
# Tests only: "SIGNAL:EPOCH" sends this process SIGNAL once epoch EPOCH's checkpoint is complete on
# disk, so an interruption falls at a known point (e.g. KILL:2, INT:1).
SIGNAL_AFTER_ENV = "NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH"


def _flatten_optimizer(state: dict) -> tuple[dict, dict]:
    tensors, rest = {}, {"param_groups": state["param_groups"], "state": {}}
    for idx, values in state["state"].items():
        rest["state"][str(idx)] = {}
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer/{idx}/{key}"] = value.detach().contiguous()
                rest["state"][str(idx)][key] = "<tensor>"
            else:
                rest["state"][str(idx)][key] = value
    return tensors, rest


def _unflatten_optimizer(tensors: dict, rest: dict) -> dict:
    state = {}
    for idx, values in rest["state"].items():
        state[int(idx)] = {
            k: tensors[f"optimizer/{idx}/{k}"] if v == "<tensor>" else v for k, v in values.items()
        }
    # JSON has no tuples: betas come back as lists; put them back as the optimizer made them
    groups = [
        {k: tuple(v) if k == "betas" and isinstance(v, list) else v for k, v in g.items()}
        for g in rest["param_groups"]
    ]
    return {"state": state, "param_groups": groups}


def _match_layouts(optimizer) -> None:
    """Give each per-parameter state tensor its parameter's memory layout (channels_last for conv
    weights).

    safetensors stores tensors contiguous and load_state_dict keeps that layout; the fused
    Adam/AdamW kernel walks the parameter, gradient and moments as flat memory, so contiguous
    moments beside a channels_last weight were updated element against the wrong element: resumed
    image runs took other steps.
    """
    for param, values in optimizer.state.items():
        for key, value in values.items():
            if (
                isinstance(value, torch.Tensor)
                and value.shape == param.shape
                and value.stride() != param.stride()
            ):
                values[key] = torch.empty_like(param, dtype=value.dtype).copy_(value)


def snapshot(
    *, network, optimizer, scheduler, generators: dict, best_state: dict | None, info: dict
) -> tuple[dict, dict]:
    """Copies of every state (tensors, JSON part), so training can go on changing the originals."""
    tensors = {
        f"network/{k}": v.detach().clone().contiguous() for k, v in network.state_dict().items()
    }
    opt_tensors, opt_rest = _flatten_optimizer(optimizer.state_dict())
    tensors.update({k: v.clone() for k, v in opt_tensors.items()})
    tensors["rng/torch"] = torch.get_rng_state()
    for name, gen in generators.items():
        tensors[f"rng/{name}"] = gen.get_state()
    if best_state is not None:  # already a copy, replaced (never changed) when a better epoch comes
        tensors.update({f"best/{k}": v.contiguous() for k, v in best_state.items()})
    # copied dict by dict: a deep copy of the whole history each epoch would grow with its square
    history = [dict(h) for h in info.get("history", [])]
    rest = {k: v for k, v in info.items() if k != "history"}
    meta = copy.deepcopy(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "neuroflow": __version__,
            **rest,
            "optimizer": opt_rest,
            "scheduler": scheduler.state_dict() if scheduler else None,
            "has_best": best_state is not None,
        }
    )
    meta["history"] = history
    return tensors, meta


def _signal_after(epoch) -> str | None:
    """The signal NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH asks for after this epoch's checkpoint, if
    any."""
    name, _, at = os.environ.get(SIGNAL_AFTER_ENV, "").partition(":")
    return name.upper() if name and at.strip() == str(epoch) else None


def write_checkpoint(run_dir: Path, tensors: dict, meta: dict) -> None:
    from safetensors.torch import save_file

    from neuroflow.files import atomic_folder, write_json

    with atomic_folder(run_dir / FOLDER) as tmp:
        save_file(tensors, str(tmp / "state.safetensors"))
        write_json(tmp / "state.json", meta)


class CheckpointWriter:
    """Writes checkpoints on a background thread, so the disk's fsync overlaps the next epoch.

    One write at a time, and at most one a MIN_INTERVAL_S: an epoch that ends sooner replaces any
    checkpoint waiting its turn (epochs of a few milliseconds, as Iris has, would otherwise wait for
    the disk). `wait()` writes the newest checkpoint now and returns once it is complete on disk,
    raising a write's error; it is called before anything reports what is saved, and at the end.
    """

    def __init__(self, run_dir: Path, min_interval_s: float = MIN_INTERVAL_S):
        self.run_dir = run_dir
        self.min_interval_s = min_interval_s
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="neuroflow-checkpoint")
        self._idle = threading.Condition()
        self._waiting: tuple[dict, dict] | None = None
        self._running = False
        self._flush = False  # wait() wants the newest checkpoint on disk now
        self._error: BaseException | None = None

    def save(self, **state) -> None:
        snap = snapshot(**state)
        with self._idle:
            self._raise_error()
            self._waiting = snap
            if not self._running:
                self._running = True
                self._pool.submit(self._drain)
        sig = _signal_after(snap[1]["epoch"])
        if sig:  # tests: interrupt at a known point, with this epoch on disk
            self.wait()
            os.kill(os.getpid(), getattr(signal, "SIG" + sig.removeprefix("SIG")))

    def _drain(self) -> None:
        while True:
            with self._idle:
                snap, self._waiting = self._waiting, None
                if snap is None or self._error is not None:
                    self._running = False
                    self._idle.notify_all()
                    return
            started = time.monotonic()
            try:
                write_checkpoint(self.run_dir, *snap)
            except BaseException as err:  # reported by the next save() or wait()
                with self._idle:
                    self._error = err
            with self._idle:  # newer epochs replace each other meanwhile
                self._idle.wait_for(
                    lambda: self._flush,
                    timeout=max(0.0, started + self.min_interval_s - time.monotonic()),
                )

    def _raise_error(self) -> None:
        if self._error is not None:
            err, self._error = self._error, None
            raise err

    def wait(self) -> None:
        with self._idle:
            self._flush = True
            self._idle.notify_all()
            self._idle.wait_for(lambda: not self._running)
            self._flush = False
            self._raise_error()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)


def has_checkpoint(run_dir: Path) -> bool:
    return (run_dir / FOLDER / "state.json").is_file()


def read_info(run_dir: Path) -> dict:
    if not has_checkpoint(run_dir):
        raise UsageError(
            f"{run_dir} has no checkpoint to resume from",
            "give the --out folder of a training run that was interrupted",
        )
    try:
        info = json.loads((run_dir / FOLDER / "state.json").read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        info = None
    if (
        not isinstance(info, dict)
        or not isinstance(info.get("epoch"), int)
        or not isinstance(info.get("history"), list)
    ):
        raise _damaged(run_dir, "state.json")
    epoch, planned = info["epoch"], (info.get("run") or {}).get("epochs")
    if epoch < 0 or (isinstance(planned, int) and epoch > planned):  # edited by hand
        raise _damaged(run_dir, "state.json", f"it says epoch {epoch} of a run of {planned} epochs")
    if (info.get("format"), info.get("format_version"), info.get("neuroflow")) != (
        FORMAT,
        FORMAT_VERSION,
        __version__,
    ):
        written = (
            f"neuroflow {info['neuroflow']}"
            if isinstance(info.get("neuroflow"), str)
            else "an older neuroflow"
        )
        fmt = info.get("format_version", 1)
        raise ModelFileError(
            f"the checkpoint in {run_dir} was written by {written} (checkpoint format {fmt}), "
            f"and neuroflow {__version__} (format {FORMAT_VERSION}) cannot continue it step "
            "for step",
            "resume it with that neuroflow version, or start the training again "
            f"(delete {run_dir / FOLDER} or choose another --out)",
        )
    return info


def _damaged(run_dir: Path, name: str, why: str = "") -> ModelFileError:
    return ModelFileError(
        f"the checkpoint in {run_dir} is damaged ({FOLDER}/{name} cannot be used"
        f"{why and ': '}{why})",
        f"start the training again (delete {run_dir / FOLDER} or choose another --out)",
    )


def restore_checkpoint(
    run_dir: Path, *, network, optimizer, scheduler, generators: dict
) -> tuple[dict, dict | None]:
    """Put every saved state back; returns (info, best_state)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    info = read_info(run_dir)
    try:
        tensors = load_file(str(run_dir / FOLDER / "state.safetensors"))
        network.load_state_dict(
            {k[len("network/") :]: v for k, v in tensors.items() if k.startswith("network/")}
        )
        optimizer.load_state_dict(_unflatten_optimizer(tensors, info["optimizer"]))
        _match_layouts(optimizer)
        if scheduler is not None and info.get("scheduler"):
            scheduler.load_state_dict(info["scheduler"])
        torch.set_rng_state(tensors["rng/torch"])
        for name, gen in generators.items():
            if f"rng/{name}" in tensors or not name.startswith(
                "dropout"
            ):  # a run saved with fewer batch parts keeps fresh ones
                gen.set_state(tensors[f"rng/{name}"])
    except PermissionError:
        raise  # not damaged: the command line's one line names the path and the permissions
    except (
        SafetensorError,
        OSError,
        KeyError,
        TypeError,
        ValueError,
        RuntimeError,
    ):  # RuntimeError: tensors of the wrong shape
        raise _damaged(run_dir, "state.safetensors") from None
    best = (
        {k[len("best/") :]: v for k, v in tensors.items() if k.startswith("best/")}
        if info.get("has_best")
        else None
    )
    return info, best
