"""The models a page can pick: found in the folders given to `neuroflow serve`, each known by an id.

Configs are read when found (no torch); a model is loaded on first use. The page only ever sends
ids.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from neuroflow.errors import UsageError
from neuroflow.web import library


@dataclass
class Entry:
    id: str
    path: Path
    config: dict
    _model: object = None
    _files: dict | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                import neuroflow as nf

                self._model = nf.load(self.path)
            return self._model

    @property
    def files(self) -> dict[str, bytes]:
        if self._files is None:
            self._files = library.model_files(self.path)
        return self._files

    def summary(self) -> dict:
        c = self.config
        prep = c.get("preprocessing", {})
        out = {
            "id": self.id,
            "name": c.get("name", self.path.name),
            "kind": c.get("kind"),
            "task": c.get("task"),
            "classes": c.get("class_names"),
            "threshold": (c.get("ood") or {}).get("threshold"),
            "training_s": (c.get("training") or {}).get("wall_time_s"),
        }
        if c.get("kind") == "table":
            out["inputs"] = [
                {"name": col["name"], "kind": col["kind"], "categories": col.get("categories")}
                for col in prep.get("columns", [])
            ]
        else:
            out["image"] = {k: prep.get(k) for k in ("height", "width", "channels", "prepare")}
        return out


def is_model(path: Path) -> bool:
    return (path.is_dir() and (path / "config.json").is_file()) or (
        path.is_file() and path.suffix.lower() == ".zip"
    )


def find_models(paths: list[Path]) -> list[Path]:
    """Model folders and bundles named, or inside folders named (one level down); a path that is
    neither is refused in one line."""
    found: list[Path] = []
    for p in paths:
        if is_model(p):
            found.append(p)
        elif p.is_dir():
            found += sorted(c for c in p.iterdir() if not c.name.startswith(".") and is_model(c))
        else:
            what = (
                "does not exist"
                if not p.exists()
                else "is not a model folder, bundle or folder of models"
            )
            raise UsageError(
                f"{p} {what}",
                "give model folders (with config.json), bundles (.zip) or a folder of them",
            )
    return found


class Models:
    """The served models: the ones named on the command line plus those in the work folder,
    rescanned so that a model a training run writes appears in the list."""

    def __init__(self, named: list[Path], workdir: Path):
        self.named, self.workdir = named, workdir
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self.refresh()

    def refresh(self) -> list[Entry]:
        with self._lock:
            paths = list(self.named)
            if self.workdir.is_dir():
                paths += [p for p in find_models([self.workdir]) if p not in paths]
            known = {e.path: e for e in self._entries.values()}
            for p in paths:
                if p in known:
                    continue
                try:
                    config = library.read_config(p)
                except Exception:  # noqa: BLE001  a damaged folder is left out of the list, not fatal
                    continue
                entry = Entry(self._new_id(p), p, config)
                self._entries[entry.id] = entry
            return list(self._entries.values())

    def _new_id(self, path: Path) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "model"
        ident, n = base, 2
        while ident in self._entries:
            ident, n = f"{base}-{n}", n + 1
        return ident

    def get(self, ident: str) -> Entry:
        entry = self._entries.get(ident)
        if entry is None:
            self.refresh()
            entry = self._entries.get(ident)
        if entry is None:
            from fastapi import HTTPException

            raise HTTPException(404, f"no model with id {ident!r}; list them with GET /api/models")
        return entry
