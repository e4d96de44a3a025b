import pytest

import neuroflow as nf


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    # Tiny networks run faster on one thread, and two workers on a 2-core machine must not fight
    # over cores.
    monkeypatch.setenv("NEUROFLOW_THREADS", "1")


@pytest.fixture(scope="module")
def iris():
    return nf.load_dataset("iris")
