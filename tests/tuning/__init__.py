"""Tests of `neuroflow tune` on Iris with a tiny search space (fixtures in conftest.py)."""

TINY = {"epochs": {"low": 2, "high": 4}}
