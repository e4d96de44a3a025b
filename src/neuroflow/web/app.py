"""The FastAPI app behind `neuroflow serve`: the page, and the JSON API it uses (see /docs).

Every answer to a bad request is a 4xx with one line in `detail`; the client only ever names a model
by the id the server gave it, and nothing it sends is opened as a path.
"""

from __future__ import annotations

import contextlib
import shutil
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from neuroflow.errors import NeuroflowError
from neuroflow.web.guard import Guard
from neuroflow.web.jobs import Trainer
from neuroflow.web.models import Models
from neuroflow.web.public import public_line
from neuroflow.web.uploads import MAX_UPLOAD_BYTES

STATIC = Path(__file__).parent / "static"


def create_app(named: list[Path], workdir: Path, warm: bool = True) -> FastAPI:
    """The app serving the models `named` (folders or bundles) and those in `workdir`, where uploads
    and new models are written."""
    from neuroflow.web import explaining, routes, training

    workdir = Path(workdir).resolve()
    models = Models([Path(p).resolve() for p in named], workdir)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:  # load the first model while the page opens, so its first answer is quick
            import threading

            threading.Thread(target=_warm, args=(models,), daemon=True).start()
        yield
        app.state.trainer.shutdown()
        for leftover in (".uploads", ".training"):
            shutil.rmtree(workdir / leftover, ignore_errors=True)

    app = FastAPI(
        title="neuroflow",
        summary="Draw or drop an input, see what the model sees and says; train.",
        lifespan=lifespan,
    )
    app.state.models, app.state.workdir = models, workdir
    app.state.trainer = Trainer(workdir, on_model=lambda path: _added(models, path))
    app.state.uploads = {}
    _errors(app)
    app.add_middleware(Guard, max_bytes=MAX_UPLOAD_BYTES)
    app.include_router(routes.router)
    app.include_router(explaining.router)
    app.include_router(training.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(STATIC / "index.html")

    return app


def _added(models: Models, path: Path) -> str:
    return next(e.id for e in models.refresh() if e.path == path.resolve())


def _warm(models: Models) -> None:
    import time

    # the page and its first answers come first; importing torch holds the interpreter a while
    time.sleep(1.0)
    import torch

    torch.set_num_threads(
        1
    )  # requests run side by side, one core each, instead of fighting over both
    entries = models.refresh()
    if entries:
        with contextlib.suppress(NeuroflowError):  # a broken model is reported when it is picked
            entries[0].model  # noqa: B018
    # the "Why" panel asks as soon as the first answer shows; Captum's import takes seconds
    with contextlib.suppress(ImportError):
        import captum.attr  # noqa: F401


def one_line(text: object) -> str:
    return public_line(text)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(NeuroflowError)
    async def bad_input(request: Request, err: NeuroflowError):
        return JSONResponse({"detail": one_line(err)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException):
        headers = dict(err.headers or {})
        if err.status_code == 405:  # Starlette names only the first route of the path
            headers["Allow"] = ", ".join(_methods(app, request.url.path))
        return JSONResponse(
            {"detail": one_line(err.detail)}, status_code=err.status_code, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError):
        # the first problem, named as the document names it (query.name, epochs, ...)
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "the JSON body"
        return JSONResponse(
            {"detail": one_line(f"{where}: {first.get('msg', 'invalid request')}")}, status_code=422
        )


def _methods(app: FastAPI, path: str) -> list[str]:
    """Every method the API document lists for `path` (GET and POST /api/train are two routes,
    and Starlette's 405 names only the first)."""
    import re

    for template, operations in app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^/}]+\}", "[^/]+", template), path):
            return sorted(m.upper() for m in operations)
    return []
