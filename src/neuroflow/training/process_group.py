"""Taking part in a process group: how long a rank waits, and how a lost or failed rank is told
to the others in one line."""

from __future__ import annotations

import contextlib
import os
import tempfile

from neuroflow.errors import NeuroflowError, TrainingStopped

ENV = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
# How long a rank waits for the others (rendezvous, and any one exchange during training) before it
# says so and stops: a machine that vanishes without closing its connections is noticed within this.
TIMEOUT_ENV, TIMEOUT_S = "NEUROFLOW_DIST_TIMEOUT", 120.0
SIGNALS = ("", "SIGINT", "SIGTERM")
# Ranks agree on a Ctrl-C or SIGTERM every this many steps: each agreement is an exchange, and on a
# busy machine every exchange waits for the slowest rank to be scheduled again.
STOP_EVERY = 4


def timeout_s() -> float:
    value = os.environ.get(TIMEOUT_ENV, "")
    try:
        return float(value) if value and float(value) > 0 else TIMEOUT_S
    except ValueError:
        return TIMEOUT_S


class PeerLost(TrainingStopped):
    """Another rank stopped or cannot be reached; this one stops too instead of waiting for ever."""


@contextlib.contextmanager
def exchange():
    """Around anything that talks to the other ranks: a lost connection becomes PeerLost."""
    import torch.distributed as dist

    try:
        yield
    except RuntimeError as err:  # gloo reports a closed connection as a RuntimeError
        text = str(err)
        if isinstance(err, dist.DistError) or "gloo" in text or "onnection" in text:
            raise peer_lost(err) from None
        raise


RUN_FOLDER = "and the run's --out folder"  # the command line puts the folder itself here


def peer_lost(err: BaseException) -> PeerLost:
    why = " ".join(str(err).split())[:120]
    return PeerLost(
        f"another process of this distributed run stopped or cannot be reached ({why})",
        "the last complete epoch is saved by rank 0: start the same torchrun command again "
        f"with --resume {RUN_FOLDER} once every machine can take part",
    )


@contextlib.contextmanager
def c10d_log_held_back():
    """c10d logs each failed connection attempt, with a C++ stack, to stderr while it retries; the
    one line that follows says what matters. Its lines are shown only when joining goes well."""
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        ok = False
        try:
            yield
            ok = True
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if ok:
                held.seek(0)
                sys.stderr.write(held.read().decode(errors="replace"))


class OtherRankFailed(NeuroflowError):
    """Another rank's preparation failed (its data, its folder): every rank stops before
    training."""
