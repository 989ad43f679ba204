"""The bulletin's chart: completion per unit against the pace line, laid out once and drawn as SVG or PNG.

The HTML (and so the PDF printed from it) draws the shapes as SVG; the DOCX embeds a PNG drawn from the
very same shapes, so the three show one chart.
"""

from __future__ import annotations

import functools
import html
import io
import subprocess
from decimal import Decimal

import attrs

from ..i18n import _
from ..numbers import DEFAULT_ROUNDING, percent

BAR = "#4a90d9"
BEHIND = "#d9534f"
INK = "#333333"


@attrs.frozen
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    tooltip: str = ""


@attrs.frozen
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    dashed: bool = False


@attrs.frozen
class Label:
    x: float
    y: float  # the text's baseline
    text: str
    size: int
    anchor: str = "start"  # start | middle | end


@attrs.frozen
class Chart:
    width: int
    height: int
    shapes: tuple


def completion_chart_shapes(rows, pace: Decimal | None, show_name=lambda name: name, rounding: str = DEFAULT_ROUNDING) -> Chart | None:
    """Bars of completion for `rows` (bulletin rows with a target), the 100% line and the pace line."""
    rows = [r for r in rows if r.completion is not None]
    if not rows:
        return None
    label_width, bar_width, row_height = 190, 420, 18
    top = max([Decimal(1)] + [r.completion for r in rows])
    height = row_height * len(rows) + 40
    shapes: list = []
    for index, r in enumerate(rows):
        y = 20 + index * row_height
        width = float(r.completion / top) * bar_width
        shown = percent(r.completion, rounding) + "%"
        name = show_name(r.unit)
        shapes.append(Label(label_width - 6, y + 13, name, 12, "end"))
        shapes.append(Rect(label_width, y + 3, round(width, 1), row_height - 6, BEHIND if r.behind_pace else BAR, f"{name}: {shown}"))
        shapes.append(Label(round(label_width + width + 4, 1), y + 13, shown, 11))
    for fraction, text, dashed in ((Decimal(1), "100%", False), (pace, _("pace"), True)):
        if fraction is None:
            continue
        x = round(label_width + float(fraction / top) * bar_width, 1)
        shapes.append(Line(x, 12, x, height - 8, dashed))
        shapes.append(Label(x, 10, text, 10, "middle"))
    return Chart(label_width + bar_width + 80, height, tuple(shapes))


def to_svg(chart: Chart) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width}" height="{chart.height}" '
        f'viewBox="0 0 {chart.width} {chart.height}" '
        'role="img" aria-label="' + html.escape(_("completion per unit")) + '">'
    ]
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            parts.append(
                f'<rect x="{shape.x}" y="{shape.y}" width="{shape.width:.1f}" height="{shape.height}" fill="{shape.fill}">'
                f"<title>{html.escape(shape.tooltip)}</title></rect>"
            )
        elif isinstance(shape, Line):
            dash = ' stroke-dasharray="4 3"' if shape.dashed else ""
            parts.append(f'<line x1="{shape.x1}" y1="{shape.y1}" x2="{shape.x2}" y2="{shape.y2}" stroke="{INK}"{dash}/>')
        else:
            anchor = f' text-anchor="{shape.anchor}"' if shape.anchor != "start" else ""
            parts.append(f'<text x="{shape.x}" y="{shape.y}"{anchor} font-size="{shape.size}">{html.escape(shape.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


@functools.cache
def cjk_font_file() -> str | None:
    """A font file that has Chinese glyphs (fontconfig's choice), or None."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "-f", "%{file}\n"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line for line in found.splitlines() if line.strip())
    # a regular sans face reads best in a table of names; any face with the glyphs beats none
    preferred = [f for f in files if "zenhei" in f.lower() or "notosanscjk" in f.lower().replace("-", "")]
    candidates = preferred or files
    return candidates[0] if candidates else None


def to_png(chart: Chart, scale: int = 2) -> bytes:
    """The chart as PNG, drawn with Pillow at `scale` × its size (crisp when printed)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (chart.width * scale, chart.height * scale), "white")
    draw = ImageDraw.Draw(image)
    font_file = cjk_font_file()
    fonts: dict = {}

    def font(size):
        if size not in fonts:
            fonts[size] = ImageFont.truetype(font_file, size * scale) if font_file else ImageFont.load_default(size * scale)
        return fonts[size]

    for shape in chart.shapes:
        if isinstance(shape, Rect):
            box = [shape.x * scale, shape.y * scale, (shape.x + shape.width) * scale, (shape.y + shape.height) * scale]
            if shape.width > 0:
                draw.rectangle(box, fill=shape.fill)
        elif isinstance(shape, Line):
            x, y, end = shape.x1 * scale, shape.y1 * scale, shape.y2 * scale
            step = (4 + 3) * scale if shape.dashed else end - y
            while y < end:
                draw.line([x, y, x, min(y + (4 * scale if shape.dashed else step), end)], fill=INK, width=scale)
                y += step
        else:
            # SVG's y is the baseline; Pillow's "ls" anchor puts the text's baseline there too
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[shape.anchor]
            draw.text((shape.x * scale, shape.y * scale), shape.text, fill="black", font=font(shape.size), anchor=anchor)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
