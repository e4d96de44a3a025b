"""The one-line error body every refusal carries, and the answers each route lists in /openapi.json,
so that the document says what the server does (checked by tests/web/test_contract.py).
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Error(BaseModel):
    """A refusal: one line saying what is wrong and how to fix it."""

    detail: str = Field(description="One line: what is wrong, and how to fix it.")


WHY = {
    400: "The request is well formed but refused (the line says why and how to fix it).",
    404: "No such model (list them with GET /api/models), figure or upload.",
    409: "A training run is already running, or none is running to stop.",
    413: "The body is larger than 20 MB.",
    422: "A parameter or the JSON body does not match this document (the line names which).",
}


def refusals(*codes: int, **why: str) -> dict[int | str, dict]:
    """`responses=` for a route: each status in `codes` with the one-line error body; `why` gives
    a route's own description of a status (as `_404="..."`)."""
    return {code: {"model": Error, "description": why.get(f"_{code}", WHY[code])} for code in codes}
