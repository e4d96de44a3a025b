"""Optimizers and learning-rate schedules by name, stepped without importing torch._dynamo.

torch.optim's wrappers import torch._dynamo on first use (seconds on a laptop); neuroflow compiles
nothing, so until something else has loaded it, steps run the plain update under torch.no_grad().
Keras' epsilon (1e-7) and RMSprop rho (0.9) are the defaults, so the lessons' settings carry over.
"""

from __future__ import annotations

import inspect
import sys

import torch

from neuroflow.registry import Registry

OPTIMIZERS: Registry = Registry("optimizer")
SCHEDULES: Registry = Registry("schedule", hint="or none")
_WRAPPED = ("add_param_group", "zero_grad", "state_dict", "load_state_dict")


def skip_dynamo_wrappers() -> None:
    """Mark torch.optim's plain methods as already disabled for torch.compile, unless dynamo is
    loaded."""
    if "torch._dynamo" in sys.modules:
        return
    for name in _WRAPPED:
        plain = getattr(getattr(torch.optim.Optimizer, name), "__wrapped__", None)
        if plain is not None and not hasattr(plain, "__dynamo_disable"):
            setattr(plain, "__dynamo_disable", plain)  # what torch._compile's wrapper looks up


def optimizer_step(optimizer) -> None:
    """optimizer.step(); the plain update while torch._dynamo is not loaded."""
    if "torch._dynamo" in sys.modules:
        optimizer.step()
        return
    # A scheduler wraps step() to note that it ran; the plain update must leave the same note.
    optimizer._opt_called = True
    plain_step(optimizer)


def plain_step(optimizer) -> None:
    """The update Optimizer.step runs, without its wrappers (hooks and torch.compile markers)."""
    with torch.no_grad():
        inspect.unwrap(type(optimizer).step)(optimizer)


def _betas(settings) -> tuple[float, float]:
    return tuple(settings.betas) if settings.betas else (0.9, 0.999)


@OPTIMIZERS.register("adam")
def _adam(settings, params):
    # fused: one kernel updates every tensor
    return torch.optim.Adam(
        params, lr=settings.lr, betas=_betas(settings), eps=1e-7,
        weight_decay=settings.weight_decay, fused=True,
    )  # fmt: skip


@OPTIMIZERS.register("adamw")
def _adamw(settings, params):
    return torch.optim.AdamW(
        params, lr=settings.lr, betas=_betas(settings), eps=1e-7,
        weight_decay=settings.weight_decay or 0.01, fused=True,
    )  # fmt: skip


@OPTIMIZERS.register("sgd")
def _sgd(settings, params):
    return torch.optim.SGD(params, lr=settings.lr, momentum=0.9, weight_decay=settings.weight_decay)


@OPTIMIZERS.register("rmsprop")
def _rmsprop(settings, params):
    return torch.optim.RMSprop(
        params, lr=settings.lr, alpha=0.9, eps=1e-7, weight_decay=settings.weight_decay
    )


def make_optimizer(settings, params):
    skip_dynamo_wrappers()
    return OPTIMIZERS.get(settings.optimizer)(settings, params)


@SCHEDULES.register("onecycle")
def _onecycle(settings, optimizer, total: int):
    # Too few steps to warm up and cool down (torch divides by zero at 4): keep the rate constant.
    if total < 8:
        return None
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=settings.lr, total_steps=total,
        pct_start=0.25, div_factor=10, final_div_factor=100,
    )  # fmt: skip


@SCHEDULES.register("cosine")
def _cosine(settings, optimizer, total: int):
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)


def make_scheduler(settings, optimizer, steps_per_epoch: int):
    if settings.schedule is None:
        return None
    return SCHEDULES.get(settings.schedule)(settings, optimizer, settings.epochs * steps_per_epoch)
