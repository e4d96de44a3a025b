"""What the page tells its clients: one line, without the server's own folders.

A refusal names the file a client sent or the model it picked, never where the server keeps them.
"""

from __future__ import annotations

import re

# an absolute path's folders: '/' after a start, a space or a quote (not the '//' of a URL)
_FOLDERS = re.compile(r"(?<![\w:/.~-])/(?:[^\s'\"/]+/)+")


def public_line(text: object, limit: int = 500) -> str:
    """`text` on one line, each absolute path cut to its last name."""
    return _FOLDERS.sub("", " ".join(str(text).split()))[:limit]
