"""The lesson's CNN trained the way a user writes it in plain PyTorch: TensorDataset + DataLoader.

Batch 128, Adam, default (NCHW) layout, float32 copies of the images. Run as a child process by
benchmarks/__main__.py so its peak memory is its own; with "gate" it follows
benchmarks/alternate.py's protocol (it waits to be told to train, and stamps the end of each full
batch).
"""

from __future__ import annotations

import json
import resource
import sys
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.usage import help_asked


def lesson_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(7 * 7 * 32, 128),
        nn.ReLU(),
        nn.Dropout(0.4),
        nn.Linear(128, 10),
    )


def main(data_dir: str, epochs: int, limit: int, gate: bool = False) -> dict:
    from neuroflow.data.pictures.idx import load_idx_dataset

    t_start = time.perf_counter()
    ds = load_idx_dataset("mnist", data_dir=data_dir)
    x = torch.from_numpy(ds.x_train[:limit]).permute(0, 3, 1, 2).float() / 255.0
    y = torch.from_numpy(ds.y_train[:limit])
    xt = torch.from_numpy(ds.x_test).permute(0, 3, 1, 2).float() / 255.0
    torch.manual_seed(0)
    model = lesson_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    first_batch, stamps, waited = None, [], 0.0
    if gate:
        print("ready", flush=True)
        t = time.perf_counter()
        sys.stdin.readline()
        waited = time.perf_counter() - t
    t0 = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            if first_batch is None:
                first_batch = time.perf_counter() - t_start - waited
            if gate and len(yb) == 128:
                stamps.append(time.perf_counter())
    train_s = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc = float((model(xt).argmax(1).numpy() == ds.y_test).mean())
    return {
        "name": "plain PyTorch (DataLoader, NCHW)",
        "images_per_s": epochs * len(x) / train_s,
        "train_s": train_s,
        "time_to_first_batch_s": first_batch,
        "test_accuracy": acc,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "stamps": stamps,
    }


if __name__ == "__main__":
    help_asked(__doc__)
    print(
        json.dumps(
            main(
                sys.argv[1],
                int(sys.argv[2]),
                int(sys.argv[3]),
                (sys.argv[4] if len(sys.argv) > 4 else "") == "gate",
            )
        )
    )
