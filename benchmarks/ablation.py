"""One training setting of the lesson's CNN, timed on a slice of MNIST: layout, malloc, Adam, compile.

Each setting runs in its own process (malloc settings cannot be undone), printing one JSON line.
"""

from __future__ import annotations

import json
import sys
import time


def main(data_dir: str, limit: int, layout: str, malloc: str, adam: str, compile_: str, batch: int) -> dict:
    import torch
    import torch.nn.functional as F

    from neuroflow.config import configure_torch, tune_malloc
    from neuroflow.data.idx import load_idx_dataset
    from neuroflow.models.recipes import resolve_model
    from neuroflow.models.spec import build_network
    from neuroflow.training.batches import ArrayData

    if malloc == "tuned":
        tune_malloc()
    configure_torch()
    ds = load_idx_dataset("mnist", data_dir=data_dir)
    torch.manual_seed(0)
    _, net = build_network(resolve_model("mnist-cnn", "image", "mnist"), (28, 28, 1), 10, "classification")
    data = ArrayData(ds.x_train[:limit], ds.y_train[:limit], 1 / 255)
    if layout == "nchw":
        net = net.to(memory_format=torch.contiguous_format)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=adam == "fused")
    step_net = torch.compile(net) if compile_ == "on" else net
    t_compile = 0.0
    perm = torch.randperm(len(data))
    net.train()
    times = []
    for i, idx in enumerate(perm.split(batch)):
        xb, yb = data.batch(idx)
        if layout == "nchw":
            xb = xb.contiguous()
        t = time.perf_counter()
        loss = F.cross_entropy(step_net(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i == 0 and compile_ == "on":
            t_compile = time.perf_counter() - t
        else:
            times.append(time.perf_counter() - t)
    seconds = sum(times)
    n = batch * len(times)
    return {"setting": f"layout={layout} malloc={malloc} adam={adam} compile={compile_} batch={batch}", "images_per_s": n / seconds,
            "s_per_60k_epoch": 60000 / (n / seconds), "compile_s": t_compile}


if __name__ == "__main__":
    a = sys.argv
    print(json.dumps(main(a[1], int(a[2]), a[3], a[4], a[5], a[6], int(a[7]))))
