"""The fenced code blocks of the README and the documentation pages, and how the tests run them.

A ```python block runs unless its first line is `# not run by the docs tests: REASON`; a shell
block runs, line by line in an empty folder, only when its first line is `# runs as shown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOT_RUN = "# not run by the docs tests:"
RUNNABLE = "# runs as shown"
SHELLS = ("sh", "bash", "shell", "console")
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```\s*$", re.M | re.S)


@dataclass
class Block:
    page: Path
    line: int
    language: str
    code: str

    @property
    def first_line(self) -> str:
        return self.code.lstrip("\n").split("\n", 1)[0].strip()

    @property
    def runs(self) -> bool:
        if self.language == "python":
            return not self.first_line.startswith(NOT_RUN)
        return self.language in SHELLS and self.first_line.startswith(RUNNABLE)

    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def pages() -> list[Path]:
    """The README and every page of the site's docs/ folder."""
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, m.start()) + 1, m.group(1).lower(), m.group(2))
        for m in FENCE.finditer(text)
    ]


def commands(block: Block) -> list[str]:
    """A runnable shell block's commands: one a line, comments and blank lines left out, a
    trailing backslash joining the next line."""
    out: list[str] = []
    joined = block.code.replace("\\\n", " ")
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out
