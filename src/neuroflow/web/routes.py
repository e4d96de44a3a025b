"""The page's model routes: list the models, one model's card and figures, and predict for a
picture (a file or a drawn PNG) or a table row, answered as `neuroflow predict --format json`.
"""

from __future__ import annotations

import csv
from typing import Annotated

import numpy as np
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from neuroflow.errors import NeuroflowError
from neuroflow.web import library
from neuroflow.web.answers import refusals
from neuroflow.web.uploads import read_body, safe_name, upload_folder

router = APIRouter(prefix="/api")
IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The picture's bytes (any size and colour; other picture formats work too).",
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
# ids are short (the server makes them from folder names); a longer one is refused with 422
ModelId = Annotated[str, Path(max_length=100, description="The id GET /api/models gave the model.")]
FileName = Annotated[
    str, Query(max_length=200, description="The file's name; it only labels the answer.")
]


class Row(BaseModel):
    """One table row: column name → value as typed (a blank or null is a missing value)."""

    values: dict[str, str | float | int | None] = Field(
        description="The model's inputs by column name (GET /api/models/{id} lists them)."
    )


@router.get("/models", summary="The models this page serves")
def list_models(request: Request) -> list[dict]:
    return [e.summary() for e in request.app.state.models.refresh()]


@router.get(
    "/models/{model_id}",
    summary="A model: its inputs, card (Markdown) and figures",
    responses=refusals(404, 422),
)
def model_detail(request: Request, model_id: ModelId) -> dict:
    entry = request.app.state.models.get(model_id)
    files = entry.files
    card = (
        files["README.md"].decode("utf-8", "replace")
        if "README.md" in files
        else library.model_card(entry.model)
    )
    figures = [
        {"name": n, "url": f"/api/models/{entry.id}/figures/{n}"}
        for n in files
        if n.endswith(".png")
    ]
    return {**entry.summary(), "card": card, "figures": figures}


@router.get(
    "/models/{model_id}/figures/{name}",
    summary="One of the model's figures (PNG)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **refusals(404, 422)},
)
def figure(name: str, request: Request, model_id: ModelId) -> Response:
    files = request.app.state.models.get(model_id).files
    if (
        not name.endswith(".png") or name not in files
    ):  # looked up among the model's own files, never opened
        raise HTTPException(404, f"the model has no figure called {name!r}")
    return Response(files[name], media_type="image/png", headers={"Cache-Control": "no-cache"})


@router.post(
    "/models/{model_id}/predict/image",
    summary="Predict for a picture sent as the request body",
    openapi_extra=IMAGE_BODY,
    responses=refusals(
        400,
        404,
        413,
        422,
        _400="Not a picture, an empty body, or a model that reads table rows (the line says).",
    ),
)
async def predict_image(
    request: Request,
    model_id: ModelId,
    name: FileName = "drawing.png",
    details: bool = True,
) -> JSONResponse:
    """The body is the picture's bytes (a drawn PNG, a photo). `name` only labels the answer;
    `details` adds the input as the network saw it and the first layer's feature maps."""
    entry = request.app.state.models.get(model_id)
    if entry.config.get("kind") != "image":
        raise HTTPException(
            400, f"model {model_id!r} takes table rows, not pictures; send them to /predict/row"
        )
    data = await read_body(request)
    answer = await run_in_threadpool(
        _predict_picture,
        request.app.state.workdir,
        entry.model,
        data,
        safe_name(name, "drawing.png"),
        details,
    )
    return JSONResponse(
        answer
    )  # rendered directly: FastAPI's encoder walks every pixel of the maps one by one


def _predict_picture(workdir, model, data: bytes, name: str, details: bool) -> dict:
    with upload_folder(workdir) as folder:
        path = folder / name
        path.write_bytes(data)
        try:
            results, x = library.predict_picture(model, path)
            answer = {"prediction": library.prediction_json(results)[0]}
            if details:
                answer["seen"] = x[0].mean(axis=2).round().astype(int).tolist()
                maps = library.first_feature_maps(model, x[0])
                answer["feature_maps"] = [] if maps is None else [_grey(m) for m in maps]
        except (
            NeuroflowError
        ) as err:  # the message names the picture as the client did, not where it lay here
            raise HTTPException(400, str(err).replace(str(folder) + "/", "")) from None
    return answer


def _grey(values: np.ndarray) -> list[list[int]]:
    """A feature map stretched to 0-255 for drawing."""
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
    return scaled.round().astype(int).tolist()


@router.post(
    "/models/{model_id}/predict/row",
    summary="Predict for one table row",
    responses=refusals(
        400,
        404,
        413,
        422,
        _400="An input the model lacks, a value it cannot read, a body that is not JSON, or a "
        "model that reads pictures (the line says).",
    ),
)
async def predict_row(row: Row, request: Request, model_id: ModelId) -> dict:
    entry = request.app.state.models.get(model_id)
    if entry.config.get("kind") != "table":
        raise HTTPException(
            400, f"model {model_id!r} takes pictures, not table rows; send them to /predict/image"
        )
    columns = check_row(entry, row)
    return await run_in_threadpool(
        _predict_row, request.app.state.workdir, entry.model, columns, row.values
    )


def check_row(entry, row: Row) -> list[str]:
    """The model's input columns, once the row names none it lacks."""
    columns = [c["name"] for c in entry.config["preprocessing"]["columns"]]
    unknown = sorted(set(row.values) - set(columns))
    if unknown:
        raise HTTPException(
            400,
            f"the model has no input called {unknown[0]!r}; its inputs are {', '.join(columns)}",
        )
    return columns


def write_row(folder, columns: list[str], values: dict):
    """The row as a one-row CSV in `folder`: read exactly as `predict rows.csv` reads it."""
    path = folder / "row.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerow(["" if values.get(c) is None else str(values[c]).strip() for c in columns])
    return path


def _predict_row(workdir, model, columns: list[str], values: dict) -> dict:
    import neuroflow as nf

    with upload_folder(workdir) as folder:
        path = write_row(folder, columns, values)
        return {"prediction": library.prediction_json(nf.predict(model, path))[0]}
