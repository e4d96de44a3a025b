"""`python -m benchmarks.serve_load`: `neuroflow serve` under load, prediction requests for a 28×28
drawing from concurrent clients over loopback; p50/p99 latency, throughput and errors into
RESULTS.md.

Not a test: it starts the server as a process on 127.0.0.1 only, sends a bounded number of requests
for at most a bounded time, and replaces its own section of RESULTS.md (or appends it).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SECTION = "## `neuroflow serve` under load"


def drawing_png() -> bytes:
    """A 7 drawn at 28×28, black on white, as a small canvas would send it."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (28, 28), "white")
    ImageDraw.Draw(img).line([(7, 6), (21, 6), (12, 24)], fill="black", width=3)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def small_digit_model(data_dir: str, out: Path, evaluate: bool = False) -> Path:
    """mnist-fast's network on 8,000 MNIST digits for 2 epochs at batch 128 (the recipe's batches
    of 256 take too few steps on so few digits to tell noise from a digit), as the page's tests
    train it; `evaluate` adds the figures on 500 test digits (confusion matrix, test accuracy)."""
    import dataclasses

    import neuroflow as nf

    ds = nf.load_dataset("mnist", data_dir=data_dir)
    ds = dataclasses.replace(
        ds,
        x_train=ds.x_train[:8000],
        y_train=ds.y_train[:8000],
        x_val=ds.x_val[:1500],
        y_val=ds.y_val[:1500],
        x_test=ds.x_test[:500],
        y_test=ds.y_test[:500],
    )
    from neuroflow.models.recipes import recipe

    spec = {**recipe("mnist-fast"), "batch_size": 128, "lr": 0.01}
    nf.train(ds, spec, epochs=2, progress="quiet").save(out)
    if evaluate:
        nf.evaluate(nf.load(out), ds)
    return out


def start_server(model: Path, workdir: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "neuroflow",
            "serve",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workdir",
            str(workdir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = proc.stdout.readline()
    if f"127.0.0.1:{port}" not in line:
        proc.kill()
        raise SystemExit(f"neuroflow serve did not start: {line}{proc.stdout.read()}")
    return proc, port


def image_model_id(port: int) -> str:
    """The id the server gave the (first) image model it serves."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/models", timeout=30) as answer:
        models = json.load(answer)
    found = [m["id"] for m in models if m["kind"] == "image"]
    if not found:
        raise SystemExit("the model given is not an image model; give one that takes pictures")
    return found[0]


async def one_client(
    port: int,
    request: bytes,
    todo: list[int],
    deadline: float,
    latencies: list,
    errors: list,
    interval: float,
    start: float,
) -> None:
    """One keep-alive connection sending requests while any are left: the next as soon as the last
    is answered, or (interval > 0) one every `interval` seconds from `start`, like a person
    drawing."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    due = start
    try:
        while todo and time.perf_counter() < deadline:
            if interval > 0:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                due += interval
                if not todo:
                    break
            todo.pop()
            t0 = time.perf_counter()
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def load(
    port: int,
    path: str,
    body: bytes,
    requests: int,
    clients: int,
    seconds: float,
    interval: float = 0.0,
) -> dict:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    todo, latencies, errors = list(range(requests)), [], []
    t0 = time.perf_counter()
    starts = (
        np.random.default_rng(0).uniform(0, interval, clients) + t0
    )  # paced clients start spread over one interval
    await asyncio.gather(
        *(
            one_client(port, head + body, todo, t0 + seconds, latencies, errors, interval, start)
            for start in starts
        )
    )
    elapsed = time.perf_counter() - t0
    ms = np.array(latencies) * 1000
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": elapsed,
        "per_s": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
    }


def single(port: int, path: str, body: bytes, n: int = 200) -> float:
    """p50 latency of one client alone, requests one after the other (no queueing)."""
    return asyncio.run(load(port, path, body, n, 1, 60))["p50_ms"]


def write_section(out: Path, lines: list[str]) -> None:
    text = out.read_text() if out.exists() else ""
    start = text.find(SECTION)
    if start >= 0:  # replace this benchmark's own section, keep everything else
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start].rstrip("\n") + ("\n\n" + text[end + 1 :] if end >= 0 else "")
    out.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", help="an image model folder (default: train a small MNIST model first)"
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get(
            "NEUROFLOW_DATA", str(HERE.parent.parent / "shared" / "data" / "mnist")
        ),
    )
    parser.add_argument(
        "--requests", type=int, default=1000, help="requests per run (at most 100,000)"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (at most 200)")
    parser.add_argument("--seconds", type=float, default=120, help="time limit per run")
    parser.add_argument(
        "--every", type=float, default=1.0, help="seconds between one paced client's requests"
    )
    parser.add_argument(
        "--out",
        default=str(HERE / "RESULTS.md"),
        help="RESULTS.md to add the section to ('-': print only)",
    )
    args = parser.parse_args()
    requests, clients, seconds = (
        min(args.requests, 100_000),
        min(args.clients, 200),
        min(args.seconds, 600),
    )
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        model = (
            Path(args.model)
            if args.model
            else small_digit_model(args.data_dir, Path(tmp) / "digits")
        )
        proc, port = start_server(model, Path(tmp) / "work")
        try:
            body = drawing_png()
            ident = image_model_id(port)
            rows, load_before = [], os.getloadavg()[0]
            runs = [
                (
                    True,
                    0.0,
                    "page's answer (class, bars, input as seen, feature maps), back to back",
                ),
                (False, 0.0, "answer only (`details=false`), back to back"),
                (True, args.every, f"page's answer, each client once every {args.every:g} s"),
            ]
            for details, every, what in runs:
                path = (
                    f"/api/models/{ident}/predict/image?name=drawing.png"
                    f"&details={str(details).lower()}"
                )
                alone = single(port, path, body)
                r = asyncio.run(load(port, path, body, requests, clients, seconds, every))
                rows.append(
                    f"| {what} | {r['requests']} | {r['errors']} | {r['p50_ms']:.1f} | "
                    f"{r['p99_ms']:.1f} | {r['per_s']:.0f} | {alone:.1f} |"
                )
                print(rows[-1], flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    from benchmarks.__main__ import machine

    lines = [
        SECTION,
        "",
        f"Machine: {machine()}",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; command: python -m benchmarks.serve_load "
        f"{' '.join(sys.argv[1:])}".rstrip(),
        "",
        f"{clients} clients over loopback, each on one keep-alive connection, sending the next "
        f"request as soon as the last is "
        "answered (back to back: the server's capacity, where latency is mostly waiting in line) "
        f"or once every {args.every:g} s "
        "(paced: a class of learners drawing at once); "
        f"{requests} POSTs of a 28×28 PNG drawing of a 7 ({len(body)} bytes) to one `neuroflow "
        f"serve` process (uvicorn, one worker). "
        f"The last column is one client alone. Load average (1 min) {load_before:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after, "
        f"on {os.cpu_count()} cores shared with other work: latencies grow with it.",
        "",
        "| request | answered | errors | p50 ms | p99 ms | requests/s | p50 ms, 1 client |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if args.out != "-":
        write_section(Path(args.out), lines)


if __name__ == "__main__":
    main()
