"""Training across processes: real torchrun processes on 127.0.0.1 against one process.

Two ranks with the same global batch and seed end with the one-process weights (a network without
Dropout or BatchNormalization), each rank takes disjoint examples, only rank 0 writes, a killed
rank's run resumes to the uninterrupted run's weights, and two torchrun "nodes" meet through a c10d
rendezvous. This file is also the ranks' program: torchrun runs it as a script (see rank_main).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

REPO = Path(__file__).resolve().parents[2]
TORCHRUN = Path(sys.executable).with_name("torchrun")
KILL_ENV = "NEUROFLOW_TEST_KILL_RANK"  # "RANK:EPOCH:STEP": that rank kills itself before that step

if os.name != "posix":  # pragma: no cover
    pytest.skip("torchrun's workers are POSIX processes here", allow_module_level=True)

# No Dropout and no BatchNormalization: the ranks' sum of gradients is then the one process's
# gradient.
SPEC = {
    "layers": [
        "Conv2D(4, 3, padding='same', activation='relu')",
        "MaxPool2D(2)",
        "Conv2D(8, 3, padding='same', activation='relu')",
        "MaxPool2D(2)",
        "Flatten()",
        "Dense(16, activation='relu')",
        "Dense(units='auto', activation='auto')",
    ],
    "optimizer": "adam",
    "lr": 0.01,
}
# 215 pictures: 129 to train on, 4 batches of 32 and a last batch of 1 (rank 1's part of it is
# empty).
SETTINGS = {"model": SPEC, "epochs": 4, "batch_size": 32, "seed": 3}
# What draws random numbers per example (Dropout, augmentation, synthetic non-examples), for
# resuming: the ranks' parts of the last batch differ in size, so their streams differ until the
# epoch ends.
DRAWING = {
    **SETTINGS,
    "model": {
        **SPEC,
        "layers": [*SPEC["layers"][:-1], "Dropout(0.3)", SPEC["layers"][-1]],
        "outlier_exposure": 0.5,
        "schedule": "onecycle",
    },
    "augment": "rotate=10,noise=0.05",
}
N = 215


def _dataset():
    from tests.bars import bars_dataset

    return bars_dataset(N, size=16, seed=5)


# the ranks' program
# --------------------------------------------------------------------------------
def rank_main(argv: list[str]) -> int:
    """Train the bars task as one rank: argv = WORK RESUME(0/1) [drawing]. Writes
    WORK/seen-rankR.json."""
    import neuroflow as nf
    from neuroflow.errors import NeuroflowError
    from neuroflow.training.distributed import Distributed, PeerLost

    work, resume = Path(argv[0]), argv[1] == "1"
    settings = DRAWING if argv[2:] == ["drawing"] else SETTINGS
    rank = int(os.environ["RANK"])
    own = work / f"rank{rank}"
    own.mkdir(parents=True, exist_ok=True)
    os.chdir(
        own
    )  # the model folder is relative: a rank that wrote would leave it in its own folder

    class Recording(Distributed):
        """Notes the examples each step takes; with KILL_ENV, one rank dies mid-epoch."""

        seen: list[list[int]] = []

        def batches(self, permutation, global_batch):
            kill = os.environ.get(KILL_ENV, "").split(":")
            epoch = len(self.seen) + 1
            self.seen.append([])
            for step, idx in enumerate(super().batches(permutation, global_batch), 1):
                if kill != [""] and [int(k) for k in kill] == [self.rank, epoch, step]:
                    os.kill(os.getpid(), signal.SIGKILL)
                self.seen[-1] += idx.tolist()
                yield idx

    strategy = Recording.from_env()
    try:
        model = nf.train(
            _dataset(),
            **settings,  # given again when resuming: a spec object is not recorded by name
            out=None if resume else "model",
            resume="model" if resume else None,
            strategy=strategy,
            progress="quiet",
            post_fit=False,
        )
        (work / f"seen-rank{rank}.json").write_text(
            json.dumps({"seen": Recording.seen, "path": str(model.path or "")})
        )
    except NeuroflowError as err:
        if strategy.is_chief or isinstance(err, PeerLost):
            print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    finally:
        strategy.shutdown()
    return 0


# helpers
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEUROFLOW_TEST")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO), env.get("PYTHONPATH", "")])
    env.update(GLOO_SOCKET_IFNAME="lo", NEUROFLOW_THREADS="1", NEUROFLOW_DIST_TIMEOUT="60")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def torchrun(args: list, cwd: Path, env: dict | None = None, nproc: int = 2, **popen):
    command = [str(TORCHRUN), f"--nproc-per-node={nproc}"]
    command += ["--master-addr=127.0.0.1", f"--master-port={free_port()}"]
    return subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd,
        env=env or _env(),
        capture_output=True,
        text=True,
        timeout=300,
        **popen,
    )


def ranks(work: Path, resume: bool = False, drawing=False, **env) -> subprocess.CompletedProcess:
    work.mkdir(parents=True, exist_ok=True)
    args = [__file__, work, int(resume), *(["drawing"] if drawing else [])]
    return torchrun(args, cwd=work, env=_env(**env))


def _weights(folder: Path) -> dict:
    return load_file(str(folder / "model.safetensors"))


def _max_difference(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory) -> Path:
    """One uninterrupted run of two ranks (shared by the tests that compare with it)."""
    work = tmp_path_factory.mktemp("two-ranks")
    res = ranks(work)
    assert res.returncode == 0, res.stdout + res.stderr
    return work


# tests
# ----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_two_ranks_end_with_the_one_process_weights(two_ranks, tmp_path, monkeypatch):
    import neuroflow as nf
    from neuroflow.models.logits import predict_logits

    monkeypatch.setenv("NEUROFLOW_THREADS", "1")
    one = nf.train(_dataset(), **SETTINGS, out=tmp_path / "one", progress="quiet", post_fit=False)
    folder = two_ranks / "rank0" / "model"
    difference = _max_difference(_weights(tmp_path / "one"), _weights(folder))
    print(f"largest weight difference, 2 ranks against 1 process: {difference:.1e}")
    assert difference < 1e-5
    # Each epoch, the ranks took disjoint shares that together are every training example once.
    seen = [json.loads((two_ranks / f"seen-rank{r}.json").read_text()) for r in (0, 1)]
    assert len(seen[0]["seen"]) == len(seen[1]["seen"]) == SETTINGS["epochs"]
    n_train = int(N * 0.6)
    for a, b in zip(seen[0]["seen"], seen[1]["seen"], strict=True):
        assert not set(a) & set(b)
        assert sorted(a + b) == list(range(n_train))
    assert seen[0]["seen"][0] != seen[0]["seen"][1]  # reshuffled each epoch
    # Only rank 0 wrote: rank 1's folder holds nothing, and it returned an unsaved model.
    assert list((two_ranks / "rank1").iterdir()) == []
    assert seen[1]["path"] == "" and seen[0]["path"].endswith("model")
    # The folder loads anywhere and predicts as the one-process model does; its card says how it was
    # made.
    two = nf.load(folder)
    assert two.config["training"]["world_size"] == 2
    assert "world size) | 2 |" in (folder / "README.md").read_text()
    assert "world_size" not in one.config["training"]
    x = _dataset().x_test
    scale = 1 / 255
    a, b = (predict_logits(m.network, x, scale) for m in (one, two))
    assert torch.equal(a.argmax(1), b.argmax(1)) and torch.allclose(a, b, atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("killed", ["rank 1 mid-epoch", "rank 0 after epoch 2"])
def test_a_killed_rank_resumes_to_the_uninterrupted_weights(two_ranks, tmp_path, killed):
    """Rank 1 dies mid-epoch 3 (in a run that draws random numbers per example), or rank 0 once
    epoch 2 is saved; the same command with --resume ends with the uninterrupted run's weights."""
    drawing = killed.startswith("rank 1")
    if drawing:
        through = tmp_path / "through"
        assert ranks(through, drawing=True).returncode == 0
        env = {KILL_ENV: "1:3:2"}
    else:
        through, env = two_ranks, {"NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH": "KILL:2"}
    stopped = tmp_path / "stopped"
    res = ranks(stopped, drawing=drawing, **env)
    assert res.returncode != 0
    model = stopped / "rank0" / "model"
    assert json.loads((model / "checkpoint" / "state.json").read_text())["epoch"] == 2
    assert not (model / "model.safetensors").exists()
    if drawing:  # rank 0 noticed and said so in one line
        lines = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
        assert len(lines) == 1 and "another process of this distributed run" in lines[0], res.stderr
    res = ranks(stopped, resume=True, drawing=drawing)
    assert res.returncode == 0, res.stdout + res.stderr
    a, b = _weights(through / "rank0" / "model"), _weights(model)
    assert [k for k in a if not torch.equal(a[k], b[k])] == []
    assert list((stopped / "rank1").iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_on_one_rank_stops_every_rank_after_the_same_step_with_one_line(tmp_path):
    """Rank 0 gets SIGINT once epoch 2 is saved (as Ctrl-C would), in the middle of the others'
    work."""
    args = ["-m", "neuroflow", "train", "iris", "--epochs", 6, "--batch-size", 16, "--out", "m"]
    res = torchrun(args, cwd=tmp_path, env=_env(NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH="INT:2"))
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert lines == [
        "error: stopped by SIGINT during epoch 3; epochs 1–2 are saved in m. "
        "Continue with the same torchrun command and --resume m, e.g. torchrun --nproc-per-node 2 "
        "-m neuroflow train --resume m."
    ], res.stderr
    # torchrun's report: ranks stopped by the interrupt (130), none by a lost peer (1)
    assert "exitcode  : 130" in res.stderr and "exitcode  : 1 " not in res.stderr
    assert json.loads((tmp_path / "m" / "checkpoint" / "state.json").read_text())["epoch"] == 2
    assert not (tmp_path / "m" / "model.safetensors").exists()


@pytest.mark.slow
def test_two_nodes_meet_through_a_rendezvous_and_train_iris_as_one_process(tmp_path, cli):
    port = free_port()
    nodes = [tmp_path / "node0", tmp_path / "node1"]
    procs = []
    for node in nodes:
        node.mkdir()
        command = [str(TORCHRUN), "--nnodes=2", "--nproc-per-node=1", "--rdzv-backend=c10d"]
        command += [f"--rdzv-endpoint=127.0.0.1:{port}", "--rdzv-id=iris", "--local-addr=127.0.0.1"]
        command += ["-m", "neuroflow", "train", "iris", "--epochs", "5", "--seed", "2"]
        command += ["--batch-size", "16", "--out", "model", "--quiet"]
        procs.append(
            subprocess.Popen(
                command,
                cwd=node,
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    written = [n for n in nodes if (n / "model" / "model.safetensors").exists()]
    assert len(written) == 1
    assert [n for n in nodes if n not in written and any(n.iterdir())] == []
    one = tmp_path / "one"
    assert (
        cli(
            "train", "iris", "--epochs", 5, "--seed", 2, "--batch-size", 16, "--out", one, "--quiet"
        ).code
        == 0
    )
    assert _max_difference(_weights(one), _weights(written[0] / "model")) < 1e-5
    assert (
        json.loads((written[0] / "model" / "config.json").read_text())["training"]["world_size"]
        == 2
    )


@pytest.mark.slow
def test_a_batch_the_ranks_cannot_share_is_one_line_and_exit_2(tmp_path):
    res = torchrun(
        [
            "-m",
            "neuroflow",
            "train",
            "iris",
            "--batch-size",
            "15",
            "--epochs",
            "1",
            "--out",
            "m",
            "--quiet",
        ],
        cwd=tmp_path,
    )
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "--batch-size 15 does not divide among 2 processes" in lines[0], (
        res.stderr
    )
    assert "exitcode  : 2" in res.stderr  # torchrun's report of rank 0
    assert not (tmp_path / "m").exists()


def test_torchrun_variables_without_a_rendezvous_are_one_line_and_exit_2(tmp_path):
    env = _env(
        RANK=1,
        WORLD_SIZE=2,
        LOCAL_WORLD_SIZE=1,
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=free_port(),
        NEUROFLOW_DIST_TIMEOUT=1,
    )
    started = time.monotonic()
    res = subprocess.run(
        [sys.executable, "-m", "neuroflow", "train", "iris", "--quiet"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "could not meet" in res.stderr
    assert time.monotonic() - started < 60
    env.pop("MASTER_PORT")
    res = subprocess.run(
        [sys.executable, "-m", "neuroflow", "train", "iris", "--distributed", "--quiet"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "MASTER_PORT is not set" in res.stderr, res.stderr
    env.pop("MASTER_ADDR")
    res = subprocess.run(
        [sys.executable, "-m", "neuroflow", "train", "iris", "--distributed", "--quiet"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "MASTER_ADDR, MASTER_PORT are not set" in res.stderr, res.stderr
    assert list(tmp_path.iterdir()) == []


if __name__ == "__main__":
    sys.path[:0] = [str(REPO / "src"), str(REPO)]
    sys.exit(rank_main(sys.argv[1:]))


@pytest.mark.slow
def test_a_master_port_held_by_another_program_stops_rank_1_in_time(tmp_path):
    """A program that accepts connections on MASTER_PORT but is not torch's: rank 1 says so within
    NEUROFLOW_DIST_TIMEOUT instead of waiting for ever."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])  # accepted and never answered
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    env = _env(
        RANK=1,
        WORLD_SIZE=2,
        LOCAL_WORLD_SIZE=1,
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=server.getsockname()[1],
        NEUROFLOW_DIST_TIMEOUT=3,
    )
    try:
        res = subprocess.run(
            [sys.executable, "-m", "neuroflow", "train", "iris", "--distributed", "--quiet"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        server.close()
        for conn in held:
            conn.close()
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "rank 1 could not meet the other 1 processes" in lines[0], lines
    assert "within 3 s" in lines[0] and list(tmp_path.iterdir()) == []
