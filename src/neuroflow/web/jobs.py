"""Training runs for the page: `neuroflow train` in a separate process, one at a time, its epochs
turned into events the page follows; a stopped or failed run leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException

from neuroflow.web.public import public_line

EPOCH_LINE = re.compile(r"^Epoch (\d+)/(\d+) - [\d.]+s(.*)$")
METRIC = re.compile(r" - (\w+): ([-+\w.]+)")


@dataclass
class Job:
    id: str
    name: str
    argv: list[str]
    staging: Path
    state: str = "running"  # running, done, stopped, failed
    events: list[dict] = field(default_factory=list)
    model_id: str | None = None
    proc: subprocess.Popen | None = None
    stop_asked: bool = False
    named: bool = False  # a name the person gave; else the trained model's own name is taken

    def status(self) -> dict:
        epochs = [e for e in self.events if e["type"] == "epoch"]
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "model": self.model_id,
            "history": epochs,
        }


def parse_line(line: str) -> dict | None:
    """An epoch line of `neuroflow train`'s plain progress → an event; other lines → None."""
    m = EPOCH_LINE.match(line.strip())
    if not m:
        return None
    event: dict = {"type": "epoch", "epoch": int(m[1]), "epochs": int(m[2])}
    for key, value in METRIC.findall(m[3]):
        try:
            event[key] = float(value)
        except ValueError:
            continue
    return event


def _trained_name(job: Job) -> str:
    """The name training gave the model (DATA-RECIPE, DATA the uploaded file's name)."""
    try:
        return str(json.loads((job.staging / "model" / "config.json").read_text())["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return job.name


class Trainer:
    """Starts, follows and stops the one training run; `on_model` is told the folder a run wrote."""

    def __init__(self, workdir: Path, on_model):
        self.workdir, self.on_model = workdir, on_model
        self.job: Job | None = None
        self._lock = threading.Lock()

    def start(
        self,
        data: str,
        options: list[str],
        name: str,
        cleanup: Path | None = None,
        named: bool = False,
    ) -> Job:
        with self._lock:
            if self.job is not None and self.job.state == "running":
                raise HTTPException(
                    409,
                    f"busy: training '{self.job.name}' is running; stop it or wait until it ends",
                )
            ident = uuid.uuid4().hex[:12]
            staging = self.workdir / ".training" / ident
            staging.mkdir(parents=True)
            argv = [
                sys.executable,
                "-m",
                "neuroflow",
                "train",
                data,
                *options,
                "--out",
                str(staging / "model"),
            ]
            job = Job(ident, name, argv, staging, named=named)
            env = {**os.environ, "PYTHONUNBUFFERED": "1", "NEUROFLOW_DEBUG": ""}
            if cleanup is not None:  # an upload's decoded pictures or table cache stay in the
                # run's staging folder under --workdir and go with it, never in the user's cache
                env["NEUROFLOW_CACHE"] = str(staging / "cache")
            job.proc = subprocess.Popen(
                argv,
                cwd=self.workdir,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                env=env,
                start_new_session=True,
            )
            self.job = job
        threading.Thread(target=self._follow, args=(job, cleanup), daemon=True).start()
        return job

    def _follow(self, job: Job, cleanup: Path | None) -> None:
        errors = []
        for line in job.proc.stdout:
            event = parse_line(line)
            if event is not None:
                job.events.append(event)
            elif line.startswith("error:"):
                errors.append(public_line(line.removeprefix("error:")))
        code = job.proc.wait()
        try:
            if job.stop_asked:
                job.events.append({"type": "stopped"})
                job.state = "stopped"
            elif code == 0 and (job.staging / "model" / "config.json").is_file():
                target = self._free_name(job.name if job.named else _trained_name(job))
                os.replace(job.staging / "model", target)
                job.model_id = self.on_model(target)
                job.name = job.model_id  # the status, the event and the list say the same name
                job.events.append({"type": "done", "model": job.model_id})
                job.state = "done"
            else:
                job.events.append(
                    {
                        "type": "failed",
                        "message": errors[-1] if errors else f"training ended with status {code}",
                    }
                )
                job.state = "failed"
        finally:
            shutil.rmtree(job.staging, ignore_errors=True)
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)

    def _free_name(self, name: str) -> Path:
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "model"
        target, n = self.workdir / base, 2
        while target.exists():
            target, n = self.workdir / f"{base}-{n}", n + 1
        return target

    def stop(self, wait: float = 20.0) -> Job:
        job = self.job
        if job is None or job.state != "running":
            raise HTTPException(409, "no training is running")
        job.stop_asked = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(job.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + wait
        while job.state == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        if job.state == "running":
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.proc.pid, signal.SIGKILL)
        return job

    def shutdown(self) -> None:
        if self.job is not None and self.job.state == "running":
            self.stop(wait=5.0)
