"""Plain-text tables aligned by display width, so CJK names line up in a terminal."""

from __future__ import annotations

from wcwidth import wcswidth


def width(text: str) -> int:
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if right else text + gap


def render_table(headers, rows, numeric=()) -> str:
    """Rows of strings under headers; columns whose index is in `numeric` are right-aligned."""
    cells = [list(map(str, headers))] + [[("" if c is None else str(c)) for c in row] for row in rows]
    sizes = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for number, row in enumerate(cells):
        lines.append("  ".join(pad(cell, sizes[i], i in numeric) for i, cell in enumerate(row)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * size for size in sizes))
    return "\n".join(lines)
