"""Optimizers and learning-rate schedules, used without importing torch._dynamo.

torch.optim marks its methods as not for torch.compile through wrappers that import torch._dynamo on
first use, and Optimizer.step's wrapper imports it on every call: 1.6 s on a 2-core laptop, more than
training the lesson's Iris network takes. neuroflow compiles nothing, so until something else has
imported torch._dynamo it tells those wrappers the plain method is already their disabled form and
steps through the plain Adam/SGD/... update under torch.no_grad(), which is what step() runs.
"""

from __future__ import annotations

import inspect
import sys

import torch

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
_WRAPPED = ("add_param_group", "zero_grad", "state_dict", "load_state_dict")


def skip_dynamo_wrappers() -> None:
    if "torch._dynamo" in sys.modules:
        return
    for name in _WRAPPED:
        plain = getattr(getattr(torch.optim.Optimizer, name), "__wrapped__", None)
        if plain is not None and not hasattr(plain, "__dynamo_disable"):
            setattr(
                plain, "__dynamo_disable", plain
            )  # the attribute torch._compile's wrapper looks up


def optimizer_step(optimizer) -> None:
    """optimizer.step(); the plain update while torch._dynamo is not loaded."""
    if "torch._dynamo" in sys.modules:
        optimizer.step()
        return
    # A learning-rate scheduler wraps step() to note that it was called (it warns if its own step comes
    # first); the plain update sets that note itself. Going through those wrappers imported torch._dynamo
    # and took 1.6 s of mnist-fast's first epoch.
    optimizer._opt_called = True
    plain_step(optimizer)


def plain_step(optimizer) -> None:
    """The update Optimizer.step runs, without its wrappers (hooks and torch.compile markers)."""
    with torch.no_grad():
        inspect.unwrap(type(optimizer).step)(optimizer)


def make_optimizer(settings, params):
    skip_dynamo_wrappers()
    # Keras' epsilon (1e-7) and RMSprop rho (0.9), so lessons' hyperparameters carry over.
    name, lr = settings.optimizer, settings.lr
    betas = tuple(settings.betas) if settings.betas else (0.9, 0.999)
    # The fused Adam updates every tensor in one kernel: 0.2 ms a step instead of 0.67 ms for the lesson's CNN.
    if name == "adam":
        return torch.optim.Adam(
            params, lr=lr, betas=betas, eps=1e-7, weight_decay=settings.weight_decay, fused=True
        )
    if name == "adamw":
        return torch.optim.AdamW(
            params,
            lr=lr,
            betas=betas,
            eps=1e-7,
            weight_decay=settings.weight_decay or 0.01,
            fused=True,
        )
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=settings.weight_decay)
    return torch.optim.RMSprop(
        params, lr=lr, alpha=0.9, eps=1e-7, weight_decay=settings.weight_decay
    )


def make_scheduler(settings, optimizer, steps_per_epoch: int):
    total = settings.epochs * steps_per_epoch
    # One-cycle needs steps to warm up and cool down: torch divides by zero at 4 steps and sets lr 0 at 1,
    # as a small folder trained for an epoch or two gives; so few steps keep the learning rate constant.
    if settings.schedule == "onecycle" and total >= 8:
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            max_lr=settings.lr,
            total_steps=total,
            pct_start=0.25,
            div_factor=10,
            final_div_factor=100,
        )
    if settings.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
    return None
