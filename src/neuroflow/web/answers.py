"""What the routes answer, as /openapi.json lists it: the one-line error body every refusal carries,
each route's refusals, and the live-training event stream (checked by tests/web/test_contract.py).
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


EVENT = {  # one event of the stream, as a client's EventSource parses it
    "type": "object",
    "required": ["data"],
    "properties": {
        "id": {"type": "string", "description": "The event's number, for Last-Event-ID."},
        "event": {"type": "string", "enum": ["message"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": {"enum": ["idle", "epoch", "done", "stopped", "failed"]},
                    "message": {"type": "string", "description": "Why a run failed."},
                },
            },
        },
    },
}
EVENTS = {
    200: {
        "description": "Server-sent events, each `data: {json}` (with an `id:` to resume from "
        "through Last-Event-ID): `{type: epoch, epoch, epochs, loss, ...}` per epoch, then "
        "`done` (with the new `model` id), `stopped` or `failed` (with a one-line `message`); "
        "`idle` alone when no run was started.",
        "content": {"text/event-stream": {"schema": EVENT}},
    }
}
