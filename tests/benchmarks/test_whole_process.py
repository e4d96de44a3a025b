import json
import subprocess
import sys

from benchmarks.whole_process import ROOT, in_turns

from benchmarks import whole_process

BUSY = "import time\nt = time.process_time()\nwhile time.process_time() - t < {s}: pass\nprint({s})"


def test_whole_commands_take_turns_and_each_is_timed_by_its_own_windows():
    import time

    commands = [[sys.executable, "-c", BUSY.format(s=s)] for s in (0.6, 1.2)]
    t = time.perf_counter()
    short, long = in_turns(commands, window_s=0.2)
    wall = time.perf_counter() - t
    assert short["stdout"].strip() == "0.6" and long["stdout"].strip() == "1.2"
    # each is timed by its own windows, which never overlap: at least its own CPU time, and the
    # two together no more than the wall time they took
    assert short["s"] >= 0.6 and long["s"] >= 1.2 and short["s"] + long["s"] <= wall


def test_a_failing_command_is_reported():
    import pytest

    with pytest.raises(RuntimeError, match="failed"):
        in_turns([[sys.executable, "-c", "import sys; sys.exit(3)"]])


def test_the_phases_of_a_training_command_add_up_to_the_whole(tmp_path):
    cmd = [sys.executable, "-m", "benchmarks.whole_process", "--phases", "train", "iris",
           "--epochs", "2", "--out", str(tmp_path / "iris")]  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["phases"]) == {"import", *whole_process.PHASES, "rest"}
    assert all(s >= 0 for s in report["phases"].values())
    assert report["phases"]["training"] > 0 and 0 < report["test_accuracy"] <= 1
    assert (tmp_path / "iris" / "README.md").is_file()
    lines = []
    whole_process._phase_table(lines.append, [report], "iris-mlp", 2)
    assert any(line.startswith("| whole process |") for line in lines)
