"""neuroflow.cli.main: the `neuroflow` process keeps run_app's exit status and output, with or
without torch loaded, and `--help` never imports torch."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import run_process


def test_a_command_that_loads_torch_exits_with_its_status_and_full_output():
    res = run_process("neuron", "--inputs", "1", "2", "--weights", "0.5", "-1", "--bias", "0")
    assert res.code == 0 and res.out.strip(), res.err
    bad = run_process("neuron", "--inputs", "1", "--weights", "1", "2", "--bias", "0")
    assert bad.code == 2 and bad.err.startswith("error: ") and bad.err.count("\n") == 1


def test_help_and_usage_errors_run_without_torch():
    code = (
        "import sys\nfrom neuroflow.cli.main import run_app\n"
        "assert run_app(['--help']) == 0 and 'torch' not in sys.modules\nprint('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr
    help_ = run_process("--help")
    assert help_.code == 0 and "Usage: neuroflow" in help_.out
    wrong = run_process("no-such-command")
    assert wrong.code == 2 and "(see 'neuroflow --help')" in wrong.err


def test_version_is_the_one_kept_in_version_py_and_loads_no_torch():
    from neuroflow._version import __version__

    code = (
        "import sys\nfrom neuroflow.cli.main import run_app\n"
        "assert run_app(['--version']) == 0 and 'torch' not in sys.modules"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout == f"neuroflow {__version__}\n", out.stderr
