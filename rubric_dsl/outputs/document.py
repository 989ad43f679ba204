"""The formal 通報 as the office sends it: a Word document (python-docx) and a PDF (the HTML bulletin printed by headless Chromium).

Both follow the layout of a municipal bulletin: the issuing office in red, the document number and date
above a red rule, the title, a summary written from the numbers, the chart, the tables by group, the
commended units, the units without a target listed apart, and the signature with the date.
"""

from __future__ import annotations

import io
import pathlib
import subprocess
import tempfile
from decimal import Decimal

from ..i18n import _, is_chinese, long_date, short_date
from .reports import (
    CHROMIUM_FLAGS,
    SECTION_HEADERS,
    UNLISTED_HEADERS,
    Bulletin,
    chart_of,
    find_chromium,
    item_cells,
    item_headers,
    labels,
    lost_lines,
    not_counted_text,
    pace_text,
    row_cells,
    row_headers,
    section_cells,
    show,
    to_html,
    unlisted_cells,
)

RED = "C00000"
# Fonts of a Chinese government document (GB/T 9704): 方正小標宋 for the office and title, 仿宋 for the text;
# Word falls back to what the reader has. Latin digits use the same face.
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"


class NoChromium(Exception):
    """A PDF was asked for, but no Chromium is installed to print it."""


def _chinese_ordinal(index: int) -> str:
    digits = "一二三四五六七八九十"
    return digits[index - 1] if index <= 10 else str(index)


def to_docx(b: Bulletin, path) -> None:
    """Write the bulletin as a .docx document."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    text_width = section.page_width - section.left_margin - section.right_margin

    def font(run, face=BODY_FONT, size=16, bold=False, colour=None):
        run.font.name = LATIN_FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        # East Asian text takes its face from w:eastAsia, which python-docx does not set by itself
        fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), face)
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)
        return run

    def paragraph(text="", face=BODY_FONT, size=16, bold=False, colour=None, align=None, indent=False, space_after=0):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)  # 首行縮進兩字
        p.paragraph_format.space_after = Pt(space_after)
        if text:
            font(p.add_run(text), face, size, bold, colour)
        return p

    def heading(text):
        return paragraph(text, HEADING_FONT, 16, space_after=4)

    def table(headers, rows):
        grid = document.add_table(rows=1, cols=len(headers))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(grid.rows[0].cells, labels(headers)):
            cell.text = ""
            font(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            shade = OxmlElement("w:shd")
            shade.set(qn("w:val"), "clear")
            shade.set(qn("w:fill"), "EDEDED")
            cell._element.get_or_add_tcPr().append(shade)
        for row in rows:
            cells = grid.add_row().cells
            for cell, key, value in zip(cells, headers, row):
                cell.text = ""
                font(cell.paragraphs[0].add_run(show(value, b.places, key)), BODY_FONT, 10.5)
                if isinstance(value, (Decimal, int)):
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph(space_after=6)
        return grid

    # the red header: office, then number and date over a red rule
    if b.office:
        paragraph(b.office, TITLE_FONT, 26, bold=True, colour=RED, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    if b.office or b.number:
        line = document.add_paragraph()
        line.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
        font(line.add_run((b.number or "") + "\t" + short_date(b.issued)), BODY_FONT, 14)
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", RED)):
            bottom.set(qn(f"w:{key}"), value)
        border.append(bottom)
        line._p.get_or_add_pPr().append(border)
        line.paragraph_format.space_after = Pt(18)
    paragraph(b.document_title, TITLE_FONT, 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=4)
    paragraph(b.heading, BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    for text in b.summary:
        paragraph(text, indent=True, space_after=4)
    if b.monthly and b.pace is not None:
        paragraph(pace_text(b), BODY_FONT, 12, indent=True, space_after=6)

    number = 0

    def next_heading(text):
        nonlocal number
        number += 1
        heading(f"{_chinese_ordinal(number)}、{text}" if is_chinese() else f"{number}. {text}")

    for group_label, rows in b.groups:
        if rows:
            next_heading(group_label)
            table(row_headers(b), [row_cells(b, r) for r in rows])
    chart = chart_of(b)
    if chart is not None:
        from .chart import to_png

        next_heading(_("Completion per unit"))
        # as wide as the text allows, yet short enough to stay on one page with its heading
        width = min(text_width, Cm(16), int(Cm(20) * chart.width / chart.height))
        document.add_picture(io.BytesIO(to_png(chart)), width=width)
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if b.items:
        next_heading(_("Sections"))
        table(SECTION_HEADERS, [section_cells(s) for s in b.sections])
        next_heading(_("Items"))
        table(item_headers(b.items), [item_cells(i, b.items) for i in b.items])
        if lost_lines(b):
            next_heading(_("Points lost, and who answers for them"))
            for text in lost_lines(b):
                paragraph(text, indent=True)
    if not b.monthly and b.commendation:
        next_heading(_("Commended units ({criterion})", criterion=b.commendation))
        paragraph(("、" if is_chinese() else ", ").join(b.name(u) for u in b.commended) or _("none"), indent=True)
    if b.unlisted:
        next_heading(_("Units without a target (scored apart)"))
        table(UNLISTED_HEADERS, [unlisted_cells(b, r) for r in b.unlisted])
    if b.excluded:
        paragraph(not_counted_text(b), BODY_FONT, 12, indent=True)
    if b.signature:
        paragraph(space_after=24)
        paragraph(b.signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph(long_date(b.issued), align=WD_ALIGN_PARAGRAPH.RIGHT)
    document.core_properties.title = b.document_title
    document.core_properties.author = b.office or ""
    document.save(str(path))


def to_pdf(b: Bulletin, path) -> None:
    """Print the HTML bulletin to PDF with headless Chromium (A4). Raises NoChromium when it is not installed."""
    chromium = find_chromium()
    if chromium is None:
        raise NoChromium()
    target = pathlib.Path(path).resolve()
    with tempfile.TemporaryDirectory() as work:
        page = pathlib.Path(work) / "bulletin.html"
        page.write_text(to_html(b), encoding="utf-8")
        result = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={work}/profile",
                "--no-pdf-header-footer",
                f"--print-to-pdf={target}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    if result.returncode != 0 or not target.exists():
        raise RuntimeError(_("Chromium could not print the PDF: {reason}", reason=(result.stderr.strip().splitlines() or ["?"])[-1]))
