"""The browser tests may be skipped on a laptop without Chromium, with the reason shown, but under
CI=true a missing Chromium fails them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def run_without_chromium(tmp_path, ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NEUROFLOW_CHROMIUM")}
    env["PATH"] = str(tmp_path)  # no chromium on it
    if ci:
        env["CI"] = "true"
    args = [
        sys.executable,
        "-m",
        "pytest",
        "tests/web/test_browser.py",
        "-k",
        "phone",
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
        "--basetemp",
        str(tmp_path / ("ci" if ci else "laptop")),
    ]
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_skipped_with_a_reason_on_a_laptop_and_failed_under_ci(tmp_path):
    laptop = run_without_chromium(tmp_path, ci=False)
    assert (
        laptop.returncode == 0
        and "SKIPPED" in laptop.stdout
        and "no Chromium (apt-get install chromium)" in laptop.stdout
    )
    ci = run_without_chromium(tmp_path, ci=True)
    assert ci.returncode == 1 and "the browser tests must run in CI, but no Chromium" in ci.stdout
