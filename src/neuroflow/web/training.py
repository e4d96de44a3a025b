"""The page's training routes: built-in datasets and recipes, uploads of a CSV or a zip of image
folders, and one training run at a time, started, stopped and followed as server-sent events.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from neuroflow.web import library
from neuroflow.web.answers import EVENTS, refusals
from neuroflow.web.uploads import csv_header, read_body, safe_name, unpack_images

router = APIRouter(prefix="/api")
KEPT_UPLOADS = 5
AUGMENT = re.compile(r"^[a-z][a-z0-9=.,_ ]*$")


def _one_source(schema: dict) -> None:
    """What the document adds to the model's own schema: exactly one of a built-in dataset (with
    no target) or an upload, and the names the server knows."""
    props = schema["properties"]
    props["dataset"]["anyOf"][0]["enum"] = list(library.builtin_datasets())
    props["recipe"]["anyOf"][0]["enum"] = list(library.recipes())
    props["augment"]["anyOf"][0]["pattern"] = AUGMENT.pattern
    schema["oneOf"] = [
        {
            "required": ["dataset"],
            "properties": {
                "dataset": {"type": "string"},
                "upload": {"type": "null"},
                "target": {"type": "null"},
            },
        },
        {
            "required": ["upload"],
            "properties": {"upload": {"type": "string"}, "dataset": {"type": "null"}},
        },
    ]


class TrainRequest(BaseModel):
    """A training run: exactly one of `dataset` or `upload` (with `target` for a CSV)."""

    model_config = ConfigDict(json_schema_extra=_one_source)

    dataset: str | None = Field(None, description="A built-in dataset name (see /api/datasets).")
    upload: str | None = Field(None, description="The id POST /api/uploads gave a CSV or zip.")
    target: str | None = Field(None, description="For a CSV: the column to predict.")
    recipe: str | None = Field(
        None, description="A built-in recipe; none: the default for the data."
    )
    epochs: int = Field(5, ge=1, le=500)
    augment: str | None = Field(None, max_length=200, description="e.g. 'invert,rotate=15'.")
    name: str | None = Field(None, max_length=60, description="The new model's folder name.")


@router.get("/datasets", summary="Built-in datasets and recipes to train with")
def datasets() -> dict:
    return {"datasets": library.builtin_datasets(), "recipes": library.recipes()}


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file's bytes: a CSV with a header line, or a zip of class/picture.",
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "/uploads",
    summary="Upload a CSV, or a zip of class-named image folders, to train on",
    openapi_extra=UPLOAD_BODY,
    responses=refusals(
        400,
        413,
        422,
        _400="Not a CSV with a header and two columns, nor a zip of class-named folders of "
        "pictures, or an empty body (the line says).",
    ),
)
async def upload(
    request: Request,
    name: Annotated[
        str, Query(max_length=200, description="The file's name; .csv, .txt or .zip.")
    ] = "data.csv",
) -> dict:
    """The body is the file's bytes. Answers an upload id and, for a CSV, its columns (pick the
    target among them); for a zip, its classes."""
    data = await read_body(request)
    return await run_in_threadpool(_store, request.app.state, data, name)


def _store(state, data: bytes, name: str) -> dict:
    is_zip = data[:4] == b"PK\x03\x04"
    if not is_zip and not name.lower().endswith((".csv", ".txt")):
        raise HTTPException(400, "upload a .csv table or a .zip of class-named folders of pictures")
    root = state.workdir / ".uploads"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=root, prefix="data-"))
    try:
        # the data keeps the uploaded file's name, so the model trained on it is named after it
        stem = Path(safe_name(name, "data")).stem[:40] or "data"
        if is_zip:
            classes = unpack_images(data, folder / stem)
            info = {"kind": "images", "classes": classes, "data": folder / stem}
        else:
            columns = csv_header(data)
            (folder / f"{stem}.csv").write_bytes(data)
            info = {"kind": "csv", "columns": columns, "data": folder / f"{stem}.csv"}
        info["name"] = stem
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # nothing half-written stays behind
        raise
    ident = uuid.uuid4().hex[:12]
    state.uploads[ident] = {**info, "folder": folder}
    for old in list(state.uploads)[:-KEPT_UPLOADS]:
        shutil.rmtree(state.uploads.pop(old)["folder"], ignore_errors=True)
    return {
        "upload": ident,
        **{k: v for k, v in info.items() if k in ("kind", "classes", "columns")},
    }


@router.post(
    "/train",
    status_code=202,
    summary="Start a training run (one at a time: 409 when busy)",
    responses=refusals(
        400,
        404,
        409,
        413,
        422,
        _400="Both or neither of dataset and upload, a name the server does not know, a target "
        "that is not a column, or a body that is not JSON (the line says).",
        _404="No upload with that id (uploads are kept until five newer ones arrive).",
        _409="A training run is already running: stop it or wait until it ends.",
    ),
)
def start(req: TrainRequest, request: Request) -> dict:
    state = request.app.state
    data, options, label, cleanup = _data_of(req, state)
    if req.recipe is not None:
        if req.recipe not in library.recipes():
            raise HTTPException(400, f"no recipe called {req.recipe!r}; see /api/datasets")
        options += ["--model", req.recipe]
    if req.augment is not None:
        if not AUGMENT.match(req.augment):
            raise HTTPException(
                400,
                f"--augment {req.augment!r} is not an augmentation list, e.g. 'invert,rotate=15'",
            )
        options += ["--augment", req.augment]
    options += ["--epochs", str(req.epochs)]
    name = req.name or library.model_name(label, req.recipe)
    job = state.trainer.start(data, options, name, cleanup, named=bool(req.name))
    if (
        req.upload
    ):  # the run owns the upload now (and removes it when it ends); a busy answer leaves it usable
        state.uploads.pop(req.upload, None)
    return job.status()


def _data_of(req: TrainRequest, state) -> tuple[str, list[str], str, Path | None]:
    if (req.dataset is None) == (req.upload is None):
        raise HTTPException(400, "give either a built-in dataset or an upload id")
    if req.dataset is not None:
        if req.dataset not in library.builtin_datasets():
            raise HTTPException(
                400, f"no built-in dataset called {req.dataset!r}; see /api/datasets"
            )
        if req.target is not None:
            raise HTTPException(400, "a built-in dataset has its own target; leave target out")
        return req.dataset, [], req.dataset, None
    up = state.uploads.get(req.upload)
    if up is None:
        raise HTTPException(404, f"no upload with id {req.upload!r}; upload the file again")
    if up["kind"] == "csv":
        if req.target not in up["columns"]:
            raise HTTPException(
                400, f"choose the target among the CSV's columns: {', '.join(up['columns'])}"
            )
        return str(up["data"]), ["--target", req.target], up["name"], up["folder"]
    return str(up["data"]), [], up["name"], up["folder"]


@router.post(
    "/train/stop",
    summary="Stop the training run; its unfinished model is removed",
    responses=refusals(409, _409="No training is running."),
)
def stop(request: Request) -> dict:
    return request.app.state.trainer.stop().status()


@router.get("/train", summary="The current (or last) training run: state and epochs so far")
def status(request: Request) -> dict:
    job = request.app.state.trainer.job
    return {"state": "idle"} if job is None else job.status()


@router.get(
    "/train/events",
    summary="Follow the training run: one server-sent event per epoch, then its end",
    response_class=StreamingResponse,
    responses=EVENTS,
)
async def events(request: Request) -> StreamingResponse:
    last = request.headers.get("last-event-id", "")
    start_at = int(last) + 1 if last.isdigit() else 0
    trainer = request.app.state.trainer
    server = getattr(
        request.app.state, "server", None
    )  # the uvicorn server, when run by `neuroflow serve`

    async def stream():
        job, i = trainer.job, start_at
        if job is None:
            yield f"data: {json.dumps({'type': 'idle'})}\n\n"
            return
        while True:
            ended = (
                job.state != "running"
            )  # read first: the last events are in place before the state changes
            while i < len(job.events):
                yield f"id: {i}\ndata: {json.dumps(job.events[i])}\n\n"
                i += 1
            if ended or getattr(server, "should_exit", False) or await request.is_disconnected():
                return
            await asyncio.sleep(0.2)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
