"""The page's "why" routes: explain a picture (a file or a drawn PNG) or a table row with the
method asked for, answered as `neuroflow explain --format json` answers (a list of one).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from neuroflow.errors import NeuroflowError
from neuroflow.web.answers import refusals
from neuroflow.web.routes import IMAGE_BODY, FileName, ModelId, Row, check_row, write_row
from neuroflow.web.uploads import read_body, safe_name, upload_folder

router = APIRouter(prefix="/api")


@router.post(
    "/models/{model_id}/explain/image",
    summary="Why the model answers so for a picture sent as the request body",
    openapi_extra=IMAGE_BODY,
    responses=refusals(
        400,
        404,
        413,
        422,
        _400="Not a picture, an empty body, an unknown method, or a model that reads table rows "
        "(the line says).",
    ),
)
async def explain_image(
    model_id: ModelId,
    request: Request,
    method: str = "integrated-gradients",
    name: FileName = "drawing.png",
) -> JSONResponse:
    """The body is the picture's bytes; `method` is integrated-gradients, saliency, gradcam or
    occlusion. The answer's `heatmap` is the picture's rows of numbers in [0, 1]."""
    entry = request.app.state.models.get(model_id)
    if entry.config.get("kind") != "image":
        raise HTTPException(400, f"model {model_id!r} takes table rows; send them to /explain/row")
    data = await read_body(request)
    name = safe_name(name, "drawing.png")
    workdir = request.app.state.workdir
    found = await run_in_threadpool(_explain_picture, workdir, entry.model, data, name, method)
    return JSONResponse(found)  # rendered directly: the heatmap is many numbers


def _explain_picture(workdir, model, data: bytes, name: str, method: str) -> list[dict]:
    with upload_folder(workdir) as folder:
        path = folder / name
        path.write_bytes(data)
        return _answer(model, [path], method, str(folder) + "/")


@router.post(
    "/models/{model_id}/explain/row",
    summary="Why the model answers so for a table row",
    responses=refusals(
        400,
        404,
        413,
        422,
        _400="An input the model lacks, a value it cannot read, an unknown method, a method the "
        "model cannot use (Grad-CAM needs a convolution), or a model that reads pictures.",
    ),
)
async def explain_row(
    model_id: ModelId, row: Row, request: Request, method: str = "integrated-gradients"
) -> list[dict]:
    entry = request.app.state.models.get(model_id)
    if entry.config.get("kind") != "table":
        raise HTTPException(400, f"model {model_id!r} takes pictures; send them to /explain/image")
    columns = check_row(entry, row)
    workdir = request.app.state.workdir
    return await run_in_threadpool(_explain_row, workdir, entry.model, columns, row.values, method)


def _explain_row(workdir, model, columns: list[str], values: dict, method: str) -> list[dict]:
    with upload_folder(workdir) as folder:  # through a CSV, as `explain rows.csv` reads it
        return _answer(model, write_row(folder, columns, values), method, str(folder) + "/")


def _answer(model, inputs, method: str, folder: str) -> list[dict]:
    from neuroflow.api import explain
    from neuroflow.explain.report import as_json

    try:
        return as_json(explain(model, inputs, method=method))
    except NeuroflowError as err:  # named as the client named it, not where it lay here
        raise HTTPException(400, str(err).replace(folder, "")) from None
