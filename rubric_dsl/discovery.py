"""Finding files on the command line: the files named, and the matching files below each folder named."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterable


def discover(
    paths: Iterable[str | pathlib.Path],
    pattern: str,
    missing: Callable[[str], Exception],
    beside: Callable[[pathlib.Path], pathlib.Path | None] | None = None,
) -> list[pathlib.Path]:
    """Every file named (`-` for stdin), and every file matching `pattern` below each folder named,
    sorted per folder. `beside(path)` may stand a named file in for another (a rubric for its test
    file; None: skip it). A name that is neither a file nor a folder raises `missing(name)`."""
    found: list[pathlib.Path] = []
    for raw in paths:
        path = pathlib.Path(raw)
        if path.is_dir():
            # a FIFO or device named like a match would block or never end: only regular files are read from a folder
            found += sorted(p for p in path.rglob(pattern) if p.is_file())
        elif beside is not None and path.exists() and (stand_in := beside(path)) != path:
            if stand_in is not None:
                found.append(stand_in)
        elif path.exists() or str(raw) == "-":
            found.append(path)
        else:
            raise missing(str(raw))
    return found
