"""Bulletins: the monthly and year-end reports (Markdown, self-contained HTML with an SVG chart, XLSX, CSV)."""

from __future__ import annotations

import datetime
import html
import io
from decimal import Decimal

import attrs

from ..engine.evaluation import COMPARE
from ..engine.plan import month_key, month_label
from ..engine.ranking import shared_ranks
from ..language import nodes as n
from ..numbers import DEFAULT_ROUNDING, fmt_decimal, percent
from .safety import csv_text, is_formula_like, markdown_text, spreadsheet_text

ZERO = Decimal(0)


@attrs.frozen
class Row:
    """One unit in a bulletin."""

    unit: str
    rank: int | None
    previous_rank: int | None
    this_month: Decimal | None
    total: Decimal
    target: Decimal | None
    completion: Decimal | None
    behind_pace: bool | None
    commended: bool = False

    @property
    def rank_change(self) -> str:
        if self.rank is None or self.previous_rank is None:
            return "—" if self.rank is None else "new"
        delta = self.previous_rank - self.rank
        return "=" if delta == 0 else (f"▲{delta}" if delta > 0 else f"▼{-delta}")


@attrs.frozen
class ItemLine:
    """An item in the itemised view (single-unit rubrics): base, bonus, deductions and who answers for a loss."""

    section: str
    item_id: str
    title: str
    base: Decimal | None
    award: Decimal
    bonus: Decimal
    deduction: Decimal
    score: Decimal
    lost: Decimal
    responsible: tuple


@attrs.frozen
class Bulletin:
    """A bulletin: rows by group, units outside the tables, commendations, and the itemised view."""

    title: str
    heading: str
    monthly: bool
    as_of: datetime.date
    pace: Decimal | None
    groups: tuple  # (label, rows)
    unlisted: tuple
    commendation: str | None
    commended: tuple
    items: tuple  # ItemLine, for rubrics with a single unit
    places: int
    excluded: dict
    sections: tuple = ()  # (section id, title, base, score, lost), for rubrics with a single unit
    rounding: str = DEFAULT_ROUNDING  # the rubric's, for percentages


def build_bulletin(program, tally, as_of: datetime.date | None) -> Bulletin:
    """The bulletin as of `as_of` (a monthly one), or for the whole window (year-end) when None."""
    rubric = program.rubric
    window = rubric.window
    monthly = as_of is not None
    cut = min(as_of, window.end) if as_of else window.end
    card = program.finish(tally, cut if monthly else None)
    previous = None
    if monthly:
        first_of_month = cut.replace(day=1)
        previous_end = first_of_month - datetime.timedelta(days=1)
        if previous_end >= window.start:
            previous = program.finish(tally, previous_end)
    months_total = month_key(window.end) - month_key(window.start) + 1
    months_elapsed = max(min(month_key(cut), month_key(window.end)) - month_key(window.start) + 1, 0)
    pace = Decimal(months_elapsed) / Decimal(months_total) if months_total else None

    commended_names = commended_units(rubric, card) if not monthly else set()

    # Units are compared within their group: a county's 150-point target and a department's 20 differ.
    ranks_now = group_ranks(card)
    ranks_before = group_ranks(previous) if previous else {}
    before_totals = {u.unit: u.total for u in previous.units} if previous else {}

    def row(unit):
        this_month = unit.total - before_totals.get(unit.unit, ZERO) if monthly else None
        behind = (unit.completion < pace) if unit.completion is not None and pace is not None else None
        return Row(
            unit.unit,
            ranks_now.get(unit.unit),
            ranks_before.get(unit.unit),
            this_month,
            unit.total,
            unit.target,
            unit.completion,
            behind,
            unit.unit in commended_names,
        )

    groups = []
    for group in rubric.groups:
        rows = sorted((row(u) for u in card.units if u.listed and u.group == group.name), key=lambda r: (r.rank, r.unit))
        groups.append((group.label or group.name, tuple(rows)))
    unlisted = tuple(row(u) for u in card.units if not u.listed)
    items = ()
    if len(rubric.units) == 1 and card.units:
        unit = card.unit(rubric.units[0].name)
        items = tuple(
            ItemLine(
                i.section,
                i.item_id,
                i.title,
                i.base,
                i.award,
                i.bonus,
                i.deduction,
                i.score,
                max((i.base or ZERO) - i.score, ZERO),
                i.responsible,
            )
            for i in unit.items
        )
    sections = (
        tuple(
            (
                s.section_id,
                s.title,
                s.base.value if s.base is not None else None,
                sum((i.score for i in items if i.section == s.section_id), ZERO),
                sum((i.lost for i in items if i.section == s.section_id), ZERO),
            )
            for s in rubric.sections
        )
        if items
        else ()
    )
    heading = (
        f"{month_label(month_key(cut))} monthly bulletin (as of {cut})" if monthly else f"Year-end bulletin {window.start} to {window.end}"
    )
    return Bulletin(
        rubric.title or "",
        heading,
        monthly,
        cut,
        pace,
        tuple(groups),
        unlisted,
        commendation_text(rubric.commend),
        tuple(sorted(commended_names)),
        items,
        card.places,
        card.excluded_counts(),
        sections,
        card.rounding,
    )


def group_ranks(card) -> dict:
    """Rank of each listed unit within its group, by score (ties share a rank)."""
    ranks = {}
    by_group: dict = {}
    for unit in card.units:
        if unit.listed:
            by_group.setdefault(unit.group, []).append(unit)
    for units in by_group.values():
        for rank, unit in shared_ranks(units, lambda u: u.total, lambda u: u.unit):
            ranks[unit.unit] = rank
    return ranks


def commended_units(rubric, card) -> set:
    """Units meeting the rubric's commendation criterion (none declared: nobody)."""
    rule = rubric.commend
    listed = [u for u in card.units if u.listed]
    if isinstance(rule, n.CommendCompletion):
        return {u.unit for u in listed if u.completion is not None and COMPARE[rule.op](u.completion, rule.number.value)}
    if isinstance(rule, n.CommendTop):
        chosen = set()
        pools = {}
        for u in listed:
            pools.setdefault(u.group if rule.per_group else None, []).append(u)
        for pool in pools.values():
            ranked = sorted(pool, key=lambda u: -u.total)
            if len(ranked) >= rule.count:
                cutoff = ranked[rule.count - 1].total
                chosen |= {u.unit for u in ranked if u.total >= cutoff and u.total > 0}
            else:
                chosen |= {u.unit for u in ranked if u.total > 0}
        return chosen
    return set()


def commendation_text(rule) -> str | None:
    if isinstance(rule, n.CommendCompletion):
        return f"completion {rule.op} {rule.number.literal}"
    if isinstance(rule, n.CommendTop):
        return f"top {rule.count}" + (" of each group" if rule.per_group else "")
    return None


# ---- shared table shape --------------------------------------------------------------------


def row_headers(bulletin) -> list[str]:
    headers = ["rank", "change", "unit"] if bulletin.monthly else ["rank", "unit"]
    if bulletin.monthly:
        headers.append("this month")
    headers += ["score", "target", "completion %"]
    if bulletin.monthly:
        headers.append("pace")
    else:
        headers.append("commended")
    return headers


def row_cells(bulletin, row: Row) -> list:
    """Cells as numbers (Decimal/int) or text; renderers decide how to show them."""
    cells = [row.rank if row.rank is not None else "—"]
    if bulletin.monthly:
        cells.append(row.rank_change)
    cells.append(row.unit)
    if bulletin.monthly:
        cells.append(row.this_month)
    cells += [
        row.total,
        row.target if row.target is not None else "—",
        (row.completion * 100).quantize(Decimal("0.1"), rounding=bulletin.rounding) if row.completion is not None else "—",
    ]
    if bulletin.monthly:
        cells.append("behind" if row.behind_pace else ("on pace" if row.behind_pace is not None else "—"))
    else:
        cells.append("★" if row.commended else "")
    return cells


def show(value, places, header: str = "") -> str:
    """A cell as text: scores to the rubric's precision, targets as written, completion to 0.1."""
    if isinstance(value, Decimal):
        if header == "target" or header == "base":
            return fmt_decimal(value, None)
        if header == "completion %":
            return fmt_decimal(value, 1)
        return fmt_decimal(value, places)
    return str(value)


SECTION_HEADERS = ["section", "title", "base", "score", "lost"]


def section_cells(section) -> list:
    section_id, title, base, score, lost = section
    return [section_id, title, base if base is not None else "—", score, lost]


def lost_lines(b: Bulletin, escape=str) -> list[str]:
    """`B.2.1.3 網頁設計與日常監測: 3.00 lost — 市政府信息公開管理中心`, for each item that lost points;
    `escape` makes the rubric's texts safe for the medium."""
    return [
        f"{escape(i.item_id)} {escape(i.title)}: {show(i.lost, b.places)} lost — "
        f"{escape('、'.join(i.responsible)) or 'no department named'}"
        for i in b.items
        if i.lost > 0
    ]


def item_headers():
    return ["section", "item", "title", "base", "award", "bonus", "deduction", "score", "lost", "responsible"]


def item_cells(line: ItemLine) -> list:
    return [
        line.section,
        line.item_id,
        line.title,
        line.base if line.base is not None else "—",
        line.award,
        line.bonus,
        line.deduction,
        line.score,
        line.lost,
        "、".join(line.responsible) or "—",
    ]


# ---- Markdown ---------------------------------------------------------------------------------------


def _md_cell(value, places, header) -> str:
    # numbers are ours; every text (names, titles) is escaped so it cannot leave its cell
    return show(value, places, header) if isinstance(value, (Decimal, int)) else markdown_text(str(value))


def _md_table(headers, rows, places) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(_md_cell(c, places, h) for h, c in zip(headers, row)) + " |")
    return out


def to_markdown(b: Bulletin) -> str:
    out = [f"# {markdown_text(b.title)}", "", f"## {markdown_text(b.heading)}", ""]
    if b.monthly and b.pace is not None:
        out += [f"Pace line: {percent(b.pace, b.rounding)}% of the target by now (months elapsed ÷ months in the window).", ""]
    for label, rows in b.groups:
        if not rows:
            continue
        out += [f"### {markdown_text(label)}", ""] + _md_table(row_headers(b), [row_cells(b, r) for r in rows], b.places) + [""]
    if b.unlisted:
        out += ["### Units without a target (scored apart)", ""]
        out += _md_table(["unit", "score"], [[r.unit, r.total] for r in b.unlisted], b.places) + [""]
    if b.items:
        out += ["### Sections", ""] + _md_table(SECTION_HEADERS, [section_cells(s) for s in b.sections], b.places) + [""]
        out += ["### Items", ""] + _md_table(item_headers(), [item_cells(i) for i in b.items], b.places) + [""]
        if lost_lines(b):
            out += ["Points lost, and who answers for them:", ""] + [f"- {line}" for line in lost_lines(b, markdown_text)] + [""]
    if not b.monthly and b.commendation:
        criterion = b.commendation
        out += [f"### Commendation ({markdown_text(criterion)})", ""]
        out += [f"- {markdown_text(name)}" for name in b.commended] or ["- none"]
        out.append("")
    if b.excluded:
        out += ["Not counted: " + ", ".join(f"{count} {reason}" for reason, count in sorted(b.excluded.items())), ""]
    return "\n".join(out)


# ---- HTML ---------------------------------------------------------------------------------------------

CSS = """
body { font-family: "Noto Sans CJK TC", "Noto Sans TC", "WenQuanYi Zen Hei", "Microsoft JhengHei", "PingFang TC", sans-serif;
       margin: 2em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; color: #444; }
h3 { font-size: 1.05em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.behind td { background: #fff3f0; } tr.commended td { background: #f0fff0; }
.note { color: #555; font-size: 0.9em; }
@media print { body { margin: 1cm; } h3 { page-break-after: avoid; } table, svg { page-break-inside: avoid; } }
"""


def _html_table(headers, rows, places, classes=None) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        css = f' class="{classes[index]}"' if classes and classes[index] else ""
        cells = "".join(
            f'<td class="num">{html.escape(show(c, places, h))}</td>'
            if isinstance(c, (Decimal, int))
            else f"<td>{html.escape(str(c))}</td>"
            for h, c in zip(headers, row)
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def completion_chart(b: Bulletin) -> str:
    """A horizontal bar chart of completion per unit, with the pace line, as inline SVG."""
    rows = [r for _, rows in b.groups for r in rows if r.completion is not None]
    if not rows:
        return ""
    label_width, bar_width, row_height = 190, 420, 20
    top = max([Decimal(1)] + [r.completion for r in rows])
    height = row_height * len(rows) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 80}" height="{height}" '
        f'role="img" aria-label="completion per unit">'
    ]
    for index, r in enumerate(rows):
        y = 20 + index * row_height
        width = float(r.completion / top) * bar_width
        colour = "#d9534f" if r.behind_pace else "#4a90d9"
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" font-size="12">{html.escape(r.unit)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row_height - 6}" fill="{colour}">'
            f"<title>{html.escape(r.unit)}: {percent(r.completion, b.rounding)}%</title></rect>"
        )
        parts.append(f'<text x="{label_width + width + 4:.1f}" y="{y + 14}" font-size="11">{percent(r.completion, b.rounding)}%</text>')
    for fraction, label, dash in ((Decimal(1), "100%", ""), (b.pace, "pace", ' stroke-dasharray="4 3"')):
        if fraction is None:
            continue
        x = label_width + float(fraction / top) * bar_width
        parts.append(f'<line x1="{x:.1f}" y1="12" x2="{x:.1f}" y2="{height - 8}" stroke="#333"{dash}/>')
        parts.append(f'<text x="{x:.1f}" y="10" font-size="10" text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(b: Bulletin) -> str:
    out = [
        '<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8">',
        f"<title>{html.escape(b.title)} — {html.escape(b.heading)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(b.title)}</h1>",
        f"<h2>{html.escape(b.heading)}</h2>",
    ]
    if b.monthly and b.pace is not None:
        out.append(f'<p class="note">Pace line: {percent(b.pace, b.rounding)}% of the target by now. Red rows and bars are behind it.</p>')
    chart = completion_chart(b)
    if chart:
        out += ["<h3>Completion per unit</h3>", chart]
    for label, rows in b.groups:
        if not rows:
            continue
        classes = ["behind" if r.behind_pace and b.monthly else "commended" if r.commended else "" for r in rows]
        out += [f"<h3>{html.escape(label)}</h3>", _html_table(row_headers(b), [row_cells(b, r) for r in rows], b.places, classes)]
    if b.unlisted:
        out += [
            "<h3>Units without a target (scored apart)</h3>",
            _html_table(["unit", "score"], [[r.unit, r.total] for r in b.unlisted], b.places),
        ]
    if b.items:
        out += ["<h3>Sections</h3>", _html_table(SECTION_HEADERS, [section_cells(s) for s in b.sections], b.places)]
        out += ["<h3>Items</h3>", _html_table(item_headers(), [item_cells(i) for i in b.items], b.places)]
        if lost_lines(b):
            out.append("<h3>Points lost, and who answers for them</h3>")
            out.append("<ul>" + "".join(f"<li>{line}</li>" for line in lost_lines(b, html.escape)) + "</ul>")
    if not b.monthly and b.commendation:
        out.append(f"<h3>Commendation ({html.escape(b.commendation)})</h3>")
        out.append("<ul>" + "".join(f"<li>{html.escape(name)}</li>" for name in b.commended) + "</ul>" if b.commended else "<p>none</p>")
    if b.excluded:
        out.append('<p class="note">Not counted: ' + html.escape(", ".join(f"{c} {r}" for r, c in sorted(b.excluded.items()))) + "</p>")
    out.append("</body></html>")
    return "\n".join(out)


# ---- CSV and XLSX --------------------------------------------------------------------------------------


def _csv_cell(value, places, header) -> str:
    # numbers stay numbers (a negative score is not a formula); text that a spreadsheet would run is defused
    return show(value, places, header) if isinstance(value, (Decimal, int)) else spreadsheet_text(str(value))


def to_csv(b: Bulletin) -> str:
    headers = row_headers(b)
    rows = [["group"] + headers]
    for label, group_rows in b.groups:
        for r in group_rows:
            rows.append([spreadsheet_text(label)] + [_csv_cell(c, b.places, h) for h, c in zip(headers, row_cells(b, r))])
    for r in b.unlisted:
        rows.append(["(unlisted)"] + [_csv_cell(c, b.places, h) for h, c in zip(headers, row_cells(b, r))])
    return csv_text(rows)


def to_xlsx(b: Bulletin, path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)

    def sheet(title, headers, rows):
        ws = workbook.create_sheet(_sheet_title(title, workbook))
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # numbers are stored as numbers (exact decimals converted at the cell, not before)
            ws.append([float(c) if isinstance(c, Decimal) else xlsx_text(c) if isinstance(c, str) else c for c in row])
            for cell, value in zip(ws[ws.max_row], row):
                if isinstance(value, str):
                    # openpyxl stores any text starting with "=" as a formula: text from a rubric or an
                    # event is always stored as text, and formula-like text is shown with Excel's quote prefix
                    cell.data_type = "s"
                    cell.quotePrefix = is_formula_like(value)
        for column, header in enumerate(headers, 1):
            fmt = {"target": "0", "base": "0", "completion %": "0.0"}.get(header, "0." + "0" * b.places if b.places else "0")
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                if isinstance(cell.value, float):
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(10, max(len(str(c.value or "")) * 2 for c in column))
        return ws

    for label, rows in b.groups:
        if rows:
            sheet(label, row_headers(b), [row_cells(b, r) for r in rows])
    if b.unlisted:
        sheet("unlisted", ["unit", "score"], [[r.unit, r.total] for r in b.unlisted])
    if b.items:
        sheet("sections", SECTION_HEADERS, [section_cells(s) for s in b.sections])
        sheet("items", item_headers(), [item_cells(i) for i in b.items])
    if not workbook.sheetnames:
        sheet("bulletin", row_headers(b), [])
    workbook.save(path)


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: the control characters XML 1.0 forbids are shown as `\\x1b`-style escapes,
    and so is a carriage return (XML reading turns it into a line feed: the cell would not read back as written)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("\r", "\\x0d")


def _sheet_title(title: str, workbook) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" or not ch.isprintable() else ch for ch in title)[:31].strip("'") or "sheet"
    base, number = clean, 2
    while clean.lower() in {name.lower() for name in workbook.sheetnames}:  # Excel compares sheet names caselessly
        clean = f"{base[:28]}_{number}"
        number += 1
    return clean


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
)


def find_chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def screenshot(html_path, png_path, width: int = 1000, height: int = 1500) -> None:
    """A PNG of an HTML bulletin as headless Chromium renders it (raises FileNotFoundError without Chromium)."""
    import pathlib
    import subprocess
    import tempfile

    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium is not installed")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png_path}",
                pathlib.Path(html_path).resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def write_bulletin(bulletin: Bulletin, fmt: str, output: str | None, out) -> None:
    """Write the bulletin to `output` (whole or not at all), or give its text to `out`."""
    from .files import write_atomically

    if fmt == "xlsx":
        buffer = io.BytesIO()
        to_xlsx(bulletin, buffer)
        write_atomically(output, buffer.getvalue())
        return
    text = {"md": to_markdown, "html": to_html, "csv": to_csv}[fmt](bulletin)
    if output:
        write_atomically(output, text)
    else:
        out(text, end="" if text.endswith("\n") else "\n", raw=True)
