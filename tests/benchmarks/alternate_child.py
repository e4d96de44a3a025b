"""A child for tests/benchmarks/test_alternate.py: follows benchmarks/alternate.py's protocol,
stamping the end of each ~1 ms "step" of busy work for SECONDS of its own running time."""

from __future__ import annotations

import json
import sys
import time

if __name__ == "__main__":
    seconds = float(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()
    stamps, worked = [], 0.0
    while worked < seconds:
        t = time.perf_counter()
        while time.perf_counter() - t < 0.001:
            pass
        stamps.append(time.perf_counter())
        worked += 0.001
    print(json.dumps({"stamps": stamps}))
