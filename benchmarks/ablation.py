"""One training setting of the lesson's CNN, timed on a slice of MNIST.

Settings: memory layout, glibc malloc thresholds, Adam (for-loop or fused), ReLU before or after
max-pooling, the batch split across cores or not, torch.compile, batch size. Each setting runs in its
own process (malloc settings cannot be undone), printing one JSON line; with "gate" it follows
benchmarks/alternate.py's protocol, so all settings take turns on the machine.
"""

from __future__ import annotations

import json
import sys
import time


def main(data_dir: str, limit: int, layout: str, malloc: str, adam: str, relu: str, split: str, compile_: str, batch: int, gate: bool = False) -> dict:
    import torch
    import torch.nn.functional as F

    from neuroflow.config import configure_torch, tune_malloc
    from neuroflow.data.idx import load_idx_dataset
    from neuroflow.models.recipes import resolve_model
    from neuroflow.models.spec import build_network
    from neuroflow.training.batches import ArrayData
    from neuroflow.training.steps import StepRunner

    if malloc == "tuned":
        tune_malloc()
    threads = configure_torch()
    ds = load_idx_dataset("mnist", data_dir=data_dir)
    torch.manual_seed(0)
    _, net = build_network(resolve_model("mnist-cnn", "image", "mnist"), (28, 28, 1), 10, "classification")
    data = ArrayData(ds.x_train[:limit], ds.y_train[:limit], 1 / 255)
    if layout == "nchw":
        net = net.to(memory_format=torch.contiguous_format)
    if relu == "before-pool":  # each layer in turn, as the spec lists them
        net.forward = lambda x: [x := layer(x) for layer in net.layers][-1]
    params = list(net.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, fused=adam == "fused")
    step_net = torch.compile(net) if compile_ == "on" else net
    workers = threads if split == "on" else 1
    runner = StepRunner(step_net, params, F.cross_entropy, workers=workers, generators=[torch.Generator().manual_seed(i) for i in range(workers)])
    t_compile = 0.0
    perm = torch.randperm(len(data))
    net.train()
    times, stamps = [], []
    if gate:
        print("ready", flush=True)
        sys.stdin.readline()
    with runner.threads_for_steps():
        for i, idx in enumerate(perm.split(batch)):
            xb, yb = data.batch(idx)
            if layout == "nchw":
                xb = xb.contiguous()
            t = time.perf_counter()
            for p, g in zip(params, runner(xb, yb).grads, strict=True):
                p.grad = g
            opt.step()
            if i == 0 and compile_ == "on":
                t_compile = time.perf_counter() - t
            elif i > 0:  # the first step builds oneDNN's kernels
                times.append(time.perf_counter() - t)
            if len(yb) == batch:
                stamps.append(time.perf_counter())
    runner.close()
    seconds = sum(times)
    n = batch * len(times)
    return {"setting": f"layout={layout} malloc={malloc} adam={adam} relu={relu} split={split} compile={compile_} batch={batch}",
            "images_per_s": n / seconds, "s_per_60k_epoch": 60000 / (n / seconds), "compile_s": t_compile, "batch": batch, "stamps": stamps}


if __name__ == "__main__":
    a = sys.argv
    print(json.dumps(main(a[1], int(a[2]), a[3], a[4], a[5], a[6], a[7], a[8], int(a[9]), len(a) > 10 and a[10] == "gate")))
