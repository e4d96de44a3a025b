"""`train --resume` after SIGKILL, Ctrl-C or SIGTERM ends with the same weights and history as a run
never stopped.

Each case trains once without stopping, then again stopped at a known point and resumed, each step
in its own process (as a user's runs are), and compares model.safetensors and history.json (times
aside). NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH=SIG:EPOCH makes a run send itself SIG once that epoch's
checkpoint is on disk, so the interruption falls at a known point; one case kills at whatever moment
it gets to instead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from neuroflow.errors import TrainingStopped
from tests.conftest import REPO

if os.name != "posix":  # pragma: no cover
    pytest.skip("signals are POSIX", allow_module_level=True)

HOOK = "NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH"
TIMES = {"time_s", "train_time_s"}

# Runs nf.train in a process of its own (see child_main).
CHILD = "import sys; from tests.training.test_resume import child_main; child_main(sys.argv[1:])"


def child_main(argv: list[str]) -> None:
    """nf.train on data the command line cannot name: a slice of MNIST, or tests/bars.py's pictures.

    argv: data, out, resume (0/1), nf.train's keyword arguments as JSON. Errors end it as the
    command line does."""
    from neuroflow.errors import NeuroflowError

    try:
        _train_data(*argv)
    except NeuroflowError as err:
        print(err, file=sys.stderr)
        sys.exit(err.exit_code)


def _train_data(data: str, out, resume, kw: str) -> None:
    import dataclasses

    import neuroflow as nf

    kw = json.loads(kw)
    if data == "bars":
        from tests.bars import bars_dataset

        dataset = bars_dataset(kw.pop("n"), seed=3)
    else:
        from neuroflow.data.pictures.idx import load_idx_dataset

        d, n = load_idx_dataset("mnist", data_dir=kw.pop("data_dir")), kw.pop("n")
        dataset = dataclasses.replace(
            d,
            x_train=d.x_train[:n],
            y_train=d.y_train[:n],
            x_val=d.x_val[: n // 4],
            y_val=d.y_val[: n // 4],
            x_test=d.x_test[: n // 4],
            y_test=d.y_test[: n // 4],
        )
    again = str(resume) == "1"
    nf.train(
        dataset,
        out=None if again else out,
        resume=out if again else None,
        progress="quiet",
        post_fit=False,
        **kw,
    )


# A small CNN with what the lesson's image networks have: Dropout, channels_last conv weights that
# fused Adam updates, a one-cycle schedule, augmentation and outlier exposure (synthetic non-
# examples in every batch).
IMAGE_SPEC = {
    "layers": [
        "Conv2D(8, 3, padding='same', activation='relu')",
        "MaxPool2D(2)",
        "Conv2D(8, 3, padding='same', activation='relu')",
        "MaxPool2D(2)",
        "Flatten()",
        "Dense(16, activation='relu')",
        "Dropout(0.3)",
        "Dense(units='auto', activation='auto')",
    ],
    "optimizer": "adam",
    "lr": 0.01,
    "schedule": "onecycle",
    "outlier_exposure": 0.5,
}


def _env(hook: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != HOOK}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO), env.get("PYTHONPATH", "")])
    if hook:
        env[HOOK] = hook
    return env


def _command(args: list) -> list[str]:
    if args[0] == "child":
        return [sys.executable, "-c", CHILD, *map(str, args[1:])]
    return [sys.executable, "-m", "neuroflow", *map(str, args)]


def _run(args: list, hook: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        _command(args), capture_output=True, text=True, env=_env(hook), cwd=REPO, timeout=600
    )


def _here(args: list) -> int:
    """Run the same training in this process (no second start of Python and torch); returns the exit
    code."""
    if args[0] == "child":
        _train_data(*map(str, args[1:]))
        return 0
    from neuroflow.cli.main import run_app

    try:
        return run_app([str(a) for a in args]) or 0
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1


def _case(kind: str, out: Path, resume: bool = False, **extra) -> list:
    """The arguments that train (or resume) case `kind` into `out`."""
    if kind == "table":
        return (
            ["train", "--resume", out, "--quiet"]
            if resume
            else ["train", "iris", "--epochs", 5, "--seed", 3, "--out", out, "--quiet"]
        )
    if kind == "digits":
        return (
            ["train", "--resume", out, "--quiet"]
            if resume
            else [
                "train",
                "digits",
                "--epochs",
                3,
                "--seed",
                7,
                "--batch-size",
                64,
                "--out",
                out,
                "--quiet",
            ]
        )
    if kind == "finetune":
        return (
            ["train", "--resume", out, "--quiet"]
            if resume
            else [
                "train",
                "digits",
                "--from",
                extra["parent"],
                "--freeze",
                "features",
                "--epochs",
                3,
                "--seed",
                2,
                "--out",
                out,
                "--quiet",
            ]
        )
    if kind == "bars":
        return [
            "child",
            "bars",
            out,
            int(resume),
            json.dumps(
                {
                    "n": 200,
                    "model": IMAGE_SPEC,
                    "epochs": 4,
                    "batch_size": 32,
                    "seed": 1,
                    "augment": "rotate=10,noise=0.05",
                }
            ),
        ]
    if kind == "mnist":
        return [
            "child",
            "mnist",
            out,
            int(resume),
            json.dumps(
                {
                    "n": 1000,
                    "data_dir": str(extra["mnist_dir"]),
                    "model": "mnist-cnn",
                    "augment": "invert,rotate=10",
                    "epochs": 3,
                    "seed": 4,
                }
            ),
        ]
    raise ValueError(kind)


def _same_run(a: Path, b: Path) -> None:
    wa, wb = load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors"))
    assert wa.keys() == wb.keys()
    assert [k for k in wa if not torch.equal(wa[k], wb[k])] == []
    ha, hb = (json.loads((p / "history.json").read_text()) for p in (a, b))
    assert [{k: v for k, v in h.items() if k not in TIMES} for h in ha] == [
        {k: v for k, v in h.items() if k not in TIMES} for h in hb
    ]
    assert not (b / "checkpoint").exists()


def _epoch_saved(out: Path) -> int:
    return json.loads((out / "checkpoint" / "state.json").read_text())["epoch"]


def _stopped_and_resumed(
    kind: str, tmp_path: Path, sig: str, after: int, monkeypatch=None, **extra
) -> None:
    """Train `kind` through; then stopped by `sig` after epoch `after` and resumed. With monkeypatch
    (and sig INT) the stopped run is this process's own, stopped by Ctrl-C; else a process of its
    own."""
    full, stopped = tmp_path / "full", tmp_path / "stopped"
    assert _here(_case(kind, full, **extra)) == 0
    if monkeypatch is not None:
        with monkeypatch.context() as env:
            env.setenv(HOOK, f"{sig}:{after}")
            if kind == "bars":
                with pytest.raises(TrainingStopped):
                    _here(_case(kind, stopped, **extra))
            else:
                assert _here(_case(kind, stopped, **extra)) == 130
    else:
        res = _run(_case(kind, stopped, **extra), hook=f"{sig}:{after}")
        assert res.returncode == (-signal.SIGKILL if sig == "KILL" else 130), res.stderr
    assert not (stopped / "model.safetensors").exists()
    assert _epoch_saved(stopped) == after
    assert _here(_case(kind, stopped, resume=True, **extra)) == 0
    _same_run(full, stopped)


def test_table_resumes_bit_for_bit_after_ctrl_c(tmp_path, monkeypatch):
    _stopped_and_resumed("table", tmp_path, "INT", after=2, monkeypatch=monkeypatch)


def test_small_cnn_with_augmentation_and_outliers_resumes_bit_for_bit_after_ctrl_c(
    tmp_path, monkeypatch
):
    _stopped_and_resumed("bars", tmp_path, "INT", after=2, monkeypatch=monkeypatch)


# Each of the following starts the run to stop as a process of its own (Python and torch: 3-5 s on a
# busy laptop).
@pytest.mark.slow
@pytest.mark.parametrize("sig", ["KILL", "INT", "TERM"])
def test_table_resumes_bit_for_bit(tmp_path, sig):
    _stopped_and_resumed("table", tmp_path, sig, after=2)


@pytest.mark.slow
@pytest.mark.parametrize("sig", ["KILL", "INT", "TERM"])
def test_small_cnn_with_augmentation_and_outliers_resumes_bit_for_bit(tmp_path, sig):
    _stopped_and_resumed("bars", tmp_path, sig, after=2)


@pytest.mark.slow
@pytest.mark.parametrize("sig", ["KILL", "INT"])
def test_digits_resumes_bit_for_bit(tmp_path, sig):
    _stopped_and_resumed("digits", tmp_path, sig, after=1)


@pytest.mark.slow
@pytest.mark.parametrize("sig", ["KILL", "TERM"])
def test_mnist_cnn_with_invert_and_rotate_resumes_bit_for_bit(tmp_path, sig, mnist_dir):
    _stopped_and_resumed("mnist", tmp_path, sig, after=1, mnist_dir=mnist_dir)


@pytest.mark.slow
def test_fine_tuned_model_resumes_bit_for_bit(tmp_path):
    parent = tmp_path / "parent"
    assert (
        _here(["train", "digits", "--epochs", 1, "--batch-size", 64, "--out", parent, "--quiet"])
        == 0
    )
    _stopped_and_resumed("finetune", tmp_path, "KILL", after=1, parent=parent)


@pytest.mark.slow
def test_killed_at_any_moment_after_the_first_checkpoint(tmp_path, mnist_dir):
    """No hook: SIGKILL lands wherever the run is (mid-epoch, mid-write of a later checkpoint)."""
    full, killed = tmp_path / "full", tmp_path / "killed"
    assert _here(_case("mnist", full, mnist_dir=mnist_dir)) == 0
    proc = subprocess.Popen(
        _command(_case("mnist", killed, mnist_dir=mnist_dir)),
        env=_env(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 300
    while not (killed / "checkpoint" / "state.json").exists():
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert _here(_case("mnist", killed, resume=True, mnist_dir=mnist_dir)) == 0
    _same_run(full, killed)


@pytest.mark.slow
def test_checkpoint_holds_every_state(tmp_path, monkeypatch):
    """A checkpoint restored in a fresh process takes exactly the next step the uninterrupted run
    takes.

    One step per epoch (the batch is the whole training set), so epoch 3's checkpoint comes one step
    after the restored epoch 2: Adam's moments in it are β·m + (1-β)·g of that step's gradients g,
    equal bit for bit only if those gradients are. Compared: every tensor (weights, optimizer
    moments and step counts, the torch, shuffle, augmentation, outlier and Dropout generators) and
    every JSON value but times.
    """
    through, restored = tmp_path / "through", tmp_path / "restored"
    kwargs = json.dumps(
        {
            "n": 100,
            "model": IMAGE_SPEC,
            "epochs": 8,
            "batch_size": 60,
            "seed": 5,
            "augment": "rotate=10,noise=0.05",
        }
    )
    with monkeypatch.context() as env:  # this process stops itself (Ctrl-C) once the epoch is saved
        env.setenv(HOOK, "INT:3")
        with pytest.raises(TrainingStopped):
            _here(["child", "bars", through, 0, kwargs])
        env.setenv(HOOK, "INT:2")
        with pytest.raises(TrainingStopped):
            _here(["child", "bars", restored, 0, kwargs])
    assert _epoch_saved(restored) == 2
    assert _run(["child", "bars", restored, 1, kwargs], hook="KILL:3").returncode == -signal.SIGKILL
    a, b = (load_file(str(p / "checkpoint" / "state.safetensors")) for p in (through, restored))
    assert a.keys() == b.keys()
    assert {"rng/torch", "rng/shuffle", "rng/augment", "rng/outliers", "rng/dropout0"} <= a.keys()
    assert any(k.endswith("/exp_avg") for k in a) and any(k.endswith("/step") for k in a)
    assert [k for k in a if not torch.equal(a[k], b[k])] == []
    ja, jb = (
        json.loads((p / "checkpoint" / "state.json").read_text()) for p in (through, restored)
    )
    for j in (ja, jb):
        j.pop("elapsed_s")
        j["history"] = [{k: v for k, v in h.items() if k not in TIMES} for h in j["history"]]
    assert ja == jb


@pytest.mark.parametrize(
    "change",
    [{"neuroflow": "0.0.1"}, {"format_version": 99}, {"format_version": None, "neuroflow": None}],
)
def test_checkpoint_of_another_version_is_refused_in_one_line(tmp_path, cli, change, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setenv(HOOK, "INT:1")
    assert cli(*_case("table", out)).code == 130
    monkeypatch.delenv(HOOK)
    state = out / "checkpoint" / "state.json"
    info = json.loads(state.read_text())
    info.update(change)
    info = {
        k: v for k, v in info.items() if v is not None
    }  # None: the key is missing, as in checkpoints before format 2
    state.write_text(json.dumps(info))
    res = cli("train", "--resume", out, "--quiet")
    assert res.code == 2
    assert (
        "checkpoint" in res.err and "cannot continue" in res.err and "Traceback" not in res.output
    )
    assert len(res.err.strip().splitlines()) == 1
    assert not (out / "model.safetensors").exists()


@pytest.mark.slow
def test_resumed_folder_keeps_working_after_a_second_kill(tmp_path, monkeypatch):
    """Stopped, resumed, killed later, resumed again: still the uninterrupted run's weights."""
    full, stopped = tmp_path / "full", tmp_path / "stopped"
    assert _here(_case("bars", full)) == 0
    with monkeypatch.context() as env:
        env.setenv(HOOK, "INT:1")
        with pytest.raises(TrainingStopped):
            _here(_case("bars", stopped))
    assert _run(_case("bars", stopped, resume=True), hook="KILL:3").returncode == -signal.SIGKILL
    assert _here(_case("bars", stopped, resume=True)) == 0
    _same_run(full, stopped)


@pytest.mark.slow
def test_python_resume_true_with_out_continues_the_folder(tmp_path):
    """docs/model-format.md's `nf.train(..., out=FOLDER, resume=True)` continues the run, as
    `resume=FOLDER` does."""
    import neuroflow as nf
    from neuroflow.errors import UsageError

    out = tmp_path / "run"
    stopped = subprocess.run(
        _command(["train", "iris", "--epochs", "3", "--out", out, "--quiet"]),
        env=_env("INT:1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert stopped.returncode != 0 and (out / "checkpoint" / "state.json").is_file()
    model = nf.train("iris", epochs=3, out=out, resume=True, progress="quiet", post_fit=False)
    assert len(model.history) == 3 and (out / "model.safetensors").is_file()
    with pytest.raises(UsageError, match="resume=True continues the run saved in out=FOLDER"):
        nf.train("iris", resume=True, progress="quiet")
