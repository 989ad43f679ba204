"""Bulletins: the monthly and year-end 通報 as data, and as Markdown, self-contained HTML (with its chart), XLSX and CSV."""

from __future__ import annotations

import datetime
import html
import io
from decimal import Decimal

import attrs

from ..engine.evaluation import COMPARE
from ..engine.plan import ExclusionReason, month_key
from ..engine.ranking import shared_ranks
from ..errors import NoCase
from ..i18n import N_, _, in_script, join_names, long_date, short_date, tr
from ..language import nodes as n
from ..numbers import DEFAULT_ROUNDING, fmt_decimal, percent
from .safety import csv_text, is_formula_like, markdown_text, spreadsheet_text, xlsx_text

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
    grade: str | None = None  # the rubric's grade for the unit (a veto's included)

    @property
    def rank_change(self) -> str:
        if self.rank is None or self.previous_rank is None:
            return "—" if self.rank is None else _("new")
        delta = self.previous_rank - self.rank
        return _("same") if delta == 0 else (f"▲{delta}" if delta > 0 else f"▼{-delta}")


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
    grade: str | None = None  # `grade by score: …` on the item


@attrs.frozen
class Bulletin:
    """A bulletin (通報): its document parts, rows by group, units outside the tables, commendations, the itemised view.

    Texts are in the language active when it was built; unit names and labels from the rubric in that
    language's script (rows keep the listed names, for looking up scorecards).
    """

    title: str  # the rubric's title, in the reader's script
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
    excluded: dict  # reason, in the reader's language → count
    sections: tuple = ()  # (section id, title, base, score, lost), for rubrics with a single unit
    rounding: str = DEFAULT_ROUNDING  # the rubric's, for percentages
    office: str | None = None  # the red header
    number: str | None = None  # the document number
    issued: datetime.date | None = None
    document_title: str = ""  # 關於2009年6月份全市政務信息工作情況的通報
    summary: tuple = ()  # paragraphs written from the numbers
    signature: str | None = None

    def name(self, unit: str) -> str:
        """A unit's name as this bulletin shows it (in its reader's script)."""
        return in_script(unit)


# Reasons an event was not counted (engine contract) → how a bulletin says it. Every reason has its
# words (tests/test_reports.py checks the map against the enum): a missing one was a KeyError.
_NOT_COUNTED = {
    ExclusionReason.BEFORE_WINDOW: N_("before the assessment period"),
    ExclusionReason.AFTER_WINDOW: N_("after the assessment period"),
    ExclusionReason.AFTER_AS_OF: N_("after the bulletin's date"),
    ExclusionReason.BEFORE_PERIOD: N_("before the period scored"),
    ExclusionReason.AFTER_PERIOD: N_("after the period scored"),
    ExclusionReason.RESENT: N_("re-sent"),
    ExclusionReason.REQUIRED_GAP: N_("too soon after the event it must follow"),
}


def build_bulletin(program, tally, as_of: datetime.date | None, issued: datetime.date | None = None, number: str | None = None) -> Bulletin:
    """The bulletin as of `as_of` (a monthly one), or for the whole window (year-end) when None.

    `issued` is the date on the document (default: the day after the period it reports); `number`
    fills `{number}` of the rubric's document number (default: the month's number; none for year-end).
    """
    rubric = program.rubric
    window = rubric.window
    monthly = as_of is not None
    cut = min(as_of, window.end) if as_of else window.end
    card = program.finish(tally, cut if monthly else None)
    previous = None
    if monthly:
        first_of_month = cut.replace(day=1)
        previous_end = first_of_month - datetime.timedelta(days=1)
        # the month before the period scored belongs to another period's scores: nothing to subtract
        if previous_end >= program.scoring_period(cut)[0]:
            previous = program.finish(tally, previous_end)
    # The pace line runs over what one run scores: the period (`period quarter`) or else the window.
    first_day, last_day, _label = program.scoring_period(cut if monthly else None)
    months_total = month_key(last_day) - month_key(first_day) + 1
    months_elapsed = max(min(month_key(cut), month_key(last_day)) - month_key(first_day) + 1, 0)
    pace = Decimal(months_elapsed) / Decimal(months_total) if months_total else None

    commended_names = commended_units(rubric, card, program.units) if not monthly else ()

    # Units are compared within their group: a county's 150-point target and a department's 20 differ.
    ranks_now = group_ranks(card)
    ranks_before = group_ranks(previous) if previous else {}
    if rubric.rank is not None:  # the rubric says how it ranks (tie-breaks, within what): the scorecard's ranks
        ranks_now = {u.unit: u.rank for u in card.units}
        ranks_before = {u.unit: u.rank for u in previous.units} if previous else {}
    before_totals = {u.unit: u.total for u in previous.units} if previous else {}

    def row(unit):
        # a unit without a score (vetoed) has no month's gain either
        this_month = unit.total - (before_totals.get(unit.unit) or ZERO) if monthly and unit.total is not None else None
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
            unit.grade,
        )

    groups = []
    for group in rubric.groups:
        rows = sorted(
            (row(u) for u in card.units if u.listed and u.group == group.name), key=lambda r: (r.rank is None, r.rank or 0, r.unit)
        )
        groups.append((in_script(group.label or group.name), tuple(rows)))
    unlisted = tuple(row(u) for u in card.units if not u.listed)
    items: tuple[ItemLine, ...] = ()
    if len(rubric.units) == 1 and card.units:
        unit = card.unit(rubric.units[0].name)
        items = tuple(
            ItemLine(
                i.section,
                i.item_id,
                in_script(i.title),
                i.base,
                i.award,
                i.bonus,
                i.deduction,
                i.score,
                max((i.base or ZERO) - i.score, ZERO),
                tuple(in_script(r) for r in i.responsible),
                in_script(i.grade) if i.grade is not None else None,
            )
            for i in unit.items
        )
    sections = (
        tuple(
            (
                s.section_id,
                in_script(s.title),
                s.base.value if s.base is not None else None,
                sum((i.score for i in items if i.section == s.section_id), ZERO),
                sum((i.lost for i in items if i.section == s.section_id), ZERO),
            )
            for s in rubric.sections
        )
        if items
        else ()
    )
    year, month = divmod(month_key(cut), 12)
    month += 1
    if monthly:
        heading = _("{year}-{month:02d}, as of {date}", year=year, month=month, date=short_date(cut))
    else:
        heading = _("The year: {start} to {end}", start=window.start.isoformat(), end=window.end.isoformat())
    subject = in_script(rubric.subject or rubric.title or "")
    if monthly:
        document_title = _("Bulletin on {subject}, {year}-{month:02d}", subject=subject, year=year, month=month)
    else:
        document_title = _("Bulletin on {subject}, {year}", subject=subject, year=window.end.year)
    document_number = None
    if rubric.document_number and (monthly or number is not None):
        document_number = in_script(rubric.document_number).format(year=year, month=month, number=number if number is not None else month)
    not_counted: dict = {}
    for e in card.excluded:
        reason = tr(_NOT_COUNTED[e.reason])
        not_counted[reason] = not_counted.get(reason, 0) + e.count
    bulletin = Bulletin(
        in_script(rubric.title or ""),
        heading,
        monthly,
        cut,
        pace,
        tuple(groups),
        unlisted,
        commendation_text(rubric.commend),
        tuple(commended_names),
        items,
        card.places,
        not_counted,
        sections,
        card.rounding,
        in_script(rubric.office),
        document_number,
        issued or cut + datetime.timedelta(days=1),
        document_title,
        (),
        in_script(rubric.signature or rubric.office),
    )
    return attrs.evolve(bulletin, summary=summary_of(bulletin))


def summary_of(b: Bulletin) -> tuple:
    """The bulletin's opening paragraphs, written from its numbers."""
    rows = [r for _label, rows in b.groups for r in rows]
    targeted = [r for r in rows if r.target is not None]
    paragraphs = []
    if not targeted:  # no unit has a target: no pace and no "0 units with targets"
        if b.monthly:
            first = _(
                "Under {rubric}, the scores of the {count} units up to {date} are as follows.",
                rubric=b.title,
                count=len(rows),
                date=short_date(b.as_of),
            )
        else:
            first = _("Under {rubric}, the scores of the {count} units are as follows.", rubric=b.title, count=len(rows))
    elif b.monthly:
        on_pace = [r for r in targeted if r.behind_pace is False]
        first = _(
            "Under {rubric}, the scores of the {count} units with targets up to {date} are as follows. Against the pace line "
            "({pace}% of the target by now), {reached} units are on pace and {behind} are behind.",
            rubric=b.title,
            count=len(targeted),
            date=short_date(b.as_of),
            pace=percent(b.pace, b.rounding) if b.pace is not None else "—",
            reached=len(on_pace),
            behind=len(targeted) - len(on_pace),
        )
    else:
        reached = [r for r in targeted if r.completion is not None and r.completion >= 1]
        first = _(
            "Under {rubric}, the scores of the {count} units with targets for the year are as follows. {reached} units reached their target.",
            rubric=b.title,
            count=len(targeted),
            reached=len(reached),
        )
    paragraphs.append(first)
    tops = []
    for label, group_rows in b.groups:
        leaders = [r for r in group_rows if r.rank is not None and r.rank <= 3 and r.total > 0]
        if leaders and len(group_rows) > 1:
            tops.append(_("in {group}, {names}", group=label, names=join_names(b.name(r.unit) for r in leaders)))
    if tops:
        paragraphs.append(_("Leading units: {tops}.", tops=_("; ").join(tops)))
    if b.monthly:
        silent = [r for r in rows if r.this_month == 0]
        if silent:
            paragraphs.append(
                _(
                    "Units that scored nothing this month ({count}): {names}.",
                    count=len(silent),
                    names=join_names(b.name(r.unit) for r in silent),
                )
            )
        else:
            paragraphs.append(_("Every unit scored this month."))
    elif b.commendation:
        if b.commended:
            paragraphs.append(
                _(
                    "Commended ({criterion}), {count} in all: {names}.",
                    count=len(b.commended),
                    criterion=b.commendation,
                    names=join_names(b.name(u) for u in b.commended),
                )
            )
        else:
            paragraphs.append(_("No unit met the commendation criterion ({criterion}).", criterion=b.commendation))
    if b.unlisted:
        paragraphs.append(
            _("Units without a target that also reported ({count}) are scored apart and listed at the end.", count=len(b.unlisted))
        )
    return tuple(paragraphs)


def group_ranks(card) -> dict:
    """Rank of each listed unit within its group, by score (ties share a rank)."""
    ranks = {}
    by_group: dict = {}
    for unit in card.units:
        if unit.listed and unit.total is not None:  # a vetoed unit without a score is not ranked
            by_group.setdefault(unit.group, []).append(unit)
    for units in by_group.values():
        for rank, unit in shared_ranks(units, lambda u: u.total, lambda u: u.unit):
            ranks[unit.unit] = rank
    return ranks


def commended_units(rubric, card, unit_decls=None) -> tuple:
    """Units meeting the rubric's commendation criterion (none declared: nobody), best total first (then
    by name). `commend top N`: the N best of each pool (all listed units, each group, or each value of a unit
    attribute); units tied with the N-th are commended too (tied on every key of the rubric's `rank` line when
    it ranks within the same pools), and a total of 0 or below is never commended
    (a top place earned with nothing, or with a net deduction, is not commendable). Units without a score
    (vetoed) and unlisted units are never commended."""
    rule = rubric.commend
    listed = [u for u in card.units if u.listed and u.total is not None]
    order = sorted(listed, key=lambda u: (-u.total, u.unit))
    match rule:
        case None:  # no commendation declared: nobody
            return ()
        case n.CommendCompletion():
            return tuple(u.unit for u in order if u.completion is not None and COMPARE[rule.op](u.completion, rule.number.value))
        case n.CommendTop():
            decls = unit_decls or {}

            def pool_of(u):
                if rule.per_group:
                    return u.group
                if rule.per_attribute:
                    decl = decls.get(u.unit)
                    return decl.attribute(rule.per_attribute) if decl is not None else None
                return None

            ranking = rubric.rank
            if ranking is not None and ranking.within == ("group" if rule.per_group else rule.per_attribute):
                # the rank line orders the same pools: its tie-breaks decide who is N-th (level on points, a team
                # ahead on goal difference is above the N-th place, not tied with it); equal on every key share it
                return tuple(u.unit for u in order if u.rank is not None and u.rank <= rule.count and u.total > 0)
            pools: dict = {}
            for u in order:
                pools.setdefault(pool_of(u), []).append(u)
            chosen = set()
            for ranked in pools.values():
                cutoff = ranked[min(rule.count, len(ranked)) - 1].total
                chosen |= {u.unit for u in ranked if u.total >= cutoff and u.total > 0}
            return tuple(u.unit for u in order if u.unit in chosen)
        case _:
            raise NoCase("the bulletin's commendation (reports.commended_units)", rule)


_COMPARISONS = {">=": N_("at least"), ">": N_("above"), "<=": N_("at most"), "<": N_("below"), "=": N_("exactly"), "!=": N_("other than")}


def commendation_text(rule) -> str | None:
    match rule:
        case None:
            return None
        case n.CommendCompletion():
            return _("completion {comparison} {number}", comparison=tr(_COMPARISONS[rule.op]), number=rule.number.literal)
        case n.CommendTop(per_group=True):
            return _("the top {count} of each group", count=rule.count)
        case n.CommendTop(per_attribute=str() as attribute) if attribute:
            return _("the top {count} of each {attribute}", count=rule.count, attribute=attribute)
        case n.CommendTop():
            return _("the top {count}", count=rule.count)
        case _:
            raise NoCase("the bulletin's commendation text (reports.commendation_text)", rule)


# ---- shared table shape --------------------------------------------------------------------

# Column keys (stable: renderers format cells by key) → the heading shown.
COLUMN_LABELS = {
    "rank": N_("rank"),
    "change": N_("change"),
    "unit": N_("unit"),
    "this month": N_("this month"),
    "score to date": N_("score to date"),
    "score": N_("score"),
    "target": N_("target"),
    "completion %": N_("completion %"),
    "pace": N_("pace"),
    "commended": N_("commended"),
    "section": N_("section"),
    "item": N_("item"),
    "title": N_("title"),
    "base": N_("base"),
    "award": N_("award"),
    "bonus": N_("bonus"),
    "deduction": N_("deduction"),
    "lost": N_("lost"),
    "responsible": N_("responsible"),
    "group": N_("group"),
    "grade": N_("grade"),
}


def label(key: str) -> str:
    return tr(COLUMN_LABELS[key])


def labels(keys) -> list[str]:
    return [label(k) for k in keys]


def row_headers(bulletin) -> list[str]:
    """The column keys of a bulletin's unit tables (`labels` gives their headings)."""
    headers = ["rank", "change", "unit"] if bulletin.monthly else ["rank", "unit"]
    if bulletin.monthly:
        headers += ["this month", "score to date"]
    else:
        headers.append("score")
    headers += ["target", "completion %"]
    if bulletin.monthly:
        headers.append("pace")
    else:
        headers.append("commended")
    if graded(bulletin):
        headers.append("grade")
    return headers


def graded(bulletin) -> bool:
    """Whether the rubric's grades reached any unit of the bulletin (then its tables show a grade column)."""
    return any(row.grade is not None for _label, rows in bulletin.groups for row in rows)


def row_cells(bulletin, row: Row) -> list:
    """Cells as numbers (Decimal/int) or text; renderers decide how to show them."""
    cells: list[Decimal | int | str | None] = [row.rank if row.rank is not None else "—"]
    if bulletin.monthly:
        cells.append(row.rank_change)
    cells.append(bulletin.name(row.unit))
    if bulletin.monthly:
        cells.append(row.this_month)
    cells += [
        row.total if row.total is not None else _("no score"),
        row.target if row.target is not None else "—",
        (row.completion * 100).quantize(Decimal("0.1"), rounding=bulletin.rounding) if row.completion is not None else "—",
    ]
    if bulletin.monthly:
        cells.append(_("behind") if row.behind_pace else (_("on pace") if row.behind_pace is not None else "—"))
    else:
        cells.append("★" if row.commended else "")
    if graded(bulletin):
        cells.append(row.grade or "—")
    return cells


UNLISTED_HEADERS = ["unit", "score"]


def unlisted_cells(b: Bulletin, row: Row) -> list:
    return [b.name(row.unit), row.total if row.total is not None else _("no score")]


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
    nobody = _("no department named")
    return [
        _(
            "{item} {title}: {points} lost — {who}",
            item=escape(i.item_id),
            title=escape(i.title),
            points=show(i.lost, b.places),
            who=escape("、".join(i.responsible)) or nobody,
        )
        for i in b.items
        if i.lost > 0
    ]


def item_headers(lines=()):
    """The itemised view's columns; `grade` when an item has grade bands of its own (`grade by score: …`)."""
    graded = ["grade"] if any(line.grade is not None for line in lines) else []
    return ["section", "item", "title", "base", "award", "bonus", "deduction", "score", *graded, "lost", "responsible"]


def item_cells(line: ItemLine, lines=()) -> list:
    graded = [line.grade or "—"] if any(other.grade is not None for other in lines) else []
    return [
        line.section,
        line.item_id,
        line.title,
        line.base if line.base is not None else "—",
        line.award,
        line.bonus,
        line.deduction,
        line.score,
        *graded,
        line.lost,
        "、".join(line.responsible) or "—",
    ]


def not_counted_text(b: Bulletin) -> str:
    return _("Not counted: {counts}", counts=_("; ").join(_("{count} {reason}", count=c, reason=r) for r, c in sorted(b.excluded.items())))


def pace_text(b: Bulletin) -> str:
    assert b.pace is not None, "the pace line is shown only for a bulletin that has one"
    return _(
        "Pace line: {pace}% of the target by now (months elapsed ÷ months in the period); red rows and bars are behind it.",
        pace=percent(b.pace, b.rounding),
    )


def document_lines(b: Bulletin) -> dict:
    """The document's header parts as text: office (red header), number and date, title."""
    return {
        "office": b.office,
        "number": b.number,
        "issued": short_date(b.issued) if b.issued else None,
        "title": b.document_title,
    }


# ---- Markdown ---------------------------------------------------------------------------------------


def _md_cell(value, places, header) -> str:
    # numbers are ours; every text (names, titles) is escaped so it cannot leave its cell
    return show(value, places, header) if isinstance(value, (Decimal, int)) else markdown_text(str(value))


def _md_table(headers, rows, places) -> list[str]:
    out = ["| " + " | ".join(labels(headers)) + " |", "|" + "|".join("---" for _h in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(_md_cell(c, places, h) for h, c in zip(headers, row)) + " |")
    return out


def to_markdown(b: Bulletin) -> str:
    out = []
    if b.office:
        out += [f"**{markdown_text(b.office)}**", ""]
    if b.number:
        out += [markdown_text(b.number) + "  ", ""]
    out += [f"# {markdown_text(b.document_title)}", "", f"## {markdown_text(b.heading)}", ""]
    out += [p for paragraph in b.summary for p in (markdown_text(paragraph), "")]
    if b.monthly and b.pace is not None:
        out += [pace_text(b), ""]
    for group_label, rows in b.groups:
        if not rows:
            continue
        out += [f"### {markdown_text(group_label)}", ""] + _md_table(row_headers(b), [row_cells(b, r) for r in rows], b.places) + [""]
    if b.items:
        out += ["### " + _("Sections"), ""] + _md_table(SECTION_HEADERS, [section_cells(s) for s in b.sections], b.places) + [""]
        out += ["### " + _("Items"), ""] + _md_table(item_headers(b.items), [item_cells(i, b.items) for i in b.items], b.places) + [""]
        if lost_lines(b):
            out += [_("Points lost, and who answers for them:"), ""] + [f"- {line}" for line in lost_lines(b, markdown_text)] + [""]
    if not b.monthly and b.commendation:
        out += ["### " + markdown_text(_("Commended units ({criterion})", criterion=b.commendation)), ""]
        out += [f"- {markdown_text(b.name(name))}" for name in b.commended] or ["- " + _("none")]
        out.append("")
    if b.unlisted:
        out += ["### " + _("Units without a target (scored apart)"), ""]
        out += _md_table(UNLISTED_HEADERS, [unlisted_cells(b, r) for r in b.unlisted], b.places) + [""]
    if b.excluded:
        out += [not_counted_text(b), ""]
    if b.signature:
        out += [markdown_text(b.signature) + "  ", long_date(b.issued), ""]
    return "\n".join(out)


# ---- HTML ---------------------------------------------------------------------------------------------

CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans CJK TC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em auto; max-width: 56em; color: #222; line-height: 1.6; }
.office { color: #c00; font-size: 2em; font-weight: bold; text-align: center; letter-spacing: 0.15em; margin: 0.2em 0 0.1em; }
.number { display: flex; justify-content: space-between; margin: 0.4em 0; }
.redline { border: 0; border-top: 2px solid #c00; margin: 0.2em 0 1.4em; }
h1 { font-size: 1.45em; text-align: center; margin: 0.6em 0 0.2em; }
h2 { font-size: 1em; text-align: center; color: #444; font-weight: normal; margin-top: 0; }
h3 { font-size: 1.05em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
p.summary { text-indent: 2em; margin: 0.5em 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; width: 100%; }
th, td { border: 1px solid #999; padding: 0.2em 0.5em; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.behind td { background: #fff3f0; } tr.commended td { background: #f0fff0; }
.note { color: #555; font-size: 0.9em; }
.signature { text-align: right; margin-top: 2.5em; line-height: 2; }
svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } h3 { page-break-after: avoid; } svg { page-break-inside: avoid; max-height: 23cm; width: auto; }
               tr { page-break-inside: avoid; } thead { display: table-header-group; } }
@page { size: A4; margin: 2cm 1.8cm; }
"""


def _html_table(headers, rows, places, classes=None) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in labels(headers))
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


def chart_of(b: Bulletin):
    """The completion chart's shapes (one layout for the HTML, PDF and DOCX), or None when no unit has a target."""
    from .chart import completion_chart_shapes

    return completion_chart_shapes([r for _label, rows in b.groups for r in rows], b.pace, b.name, b.rounding)


def completion_chart(b: Bulletin) -> str:
    """A horizontal bar chart of completion per unit, with the pace line, as inline SVG."""
    from .chart import to_svg

    chart = chart_of(b)
    return to_svg(chart) if chart else ""


def to_html(b: Bulletin) -> str:
    language = {"zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant"}.get(_current_language(), "en")
    out = [
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">',
        f"<title>{html.escape(b.document_title)}</title><style>{CSS}</style></head><body>",
    ]
    if b.office:
        out.append(f'<div class="office">{html.escape(b.office)}</div>')
    if b.number or b.office:
        out.append(
            f'<div class="number"><span>{html.escape(b.number or "")}</span><span>{html.escape(short_date(b.issued))}</span></div>'
            '<hr class="redline">'
        )
    out += [f"<h1>{html.escape(b.document_title)}</h1>", f"<h2>{html.escape(b.heading)}</h2>"]
    out += [f'<p class="summary">{html.escape(p)}</p>' for p in b.summary]
    if b.monthly and b.pace is not None:
        out.append(f'<p class="note">{html.escape(pace_text(b))}</p>')
    for group_label, rows in b.groups:
        if not rows:
            continue
        classes = ["behind" if r.behind_pace and b.monthly else "commended" if r.commended else "" for r in rows]
        out += [f"<h3>{html.escape(group_label)}</h3>", _html_table(row_headers(b), [row_cells(b, r) for r in rows], b.places, classes)]
    chart = completion_chart(b)
    if chart:
        out += ["<h3>" + html.escape(_("Completion per unit")) + "</h3>", chart]
    if b.items:
        out += [
            "<h3>" + html.escape(_("Sections")) + "</h3>",
            _html_table(SECTION_HEADERS, [section_cells(s) for s in b.sections], b.places),
        ]
        out += [
            "<h3>" + html.escape(_("Items")) + "</h3>",
            _html_table(item_headers(b.items), [item_cells(i, b.items) for i in b.items], b.places),
        ]
        if lost_lines(b):
            out.append("<h3>" + html.escape(_("Points lost, and who answers for them")) + "</h3>")
            out.append("<ul>" + "".join(f"<li>{line}</li>" for line in lost_lines(b, html.escape)) + "</ul>")
    if not b.monthly and b.commendation:
        out.append("<h3>" + html.escape(_("Commended units ({criterion})", criterion=b.commendation)) + "</h3>")
        out.append(
            "<ul>" + "".join(f"<li>{html.escape(b.name(name))}</li>" for name in b.commended) + "</ul>"
            if b.commended
            else "<p>" + html.escape(_("none")) + "</p>"
        )
    if b.unlisted:
        out += [
            "<h3>" + html.escape(_("Units without a target (scored apart)")) + "</h3>",
            _html_table(UNLISTED_HEADERS, [unlisted_cells(b, r) for r in b.unlisted], b.places),
        ]
    if b.excluded:
        out.append(f'<p class="note">{html.escape(not_counted_text(b))}</p>')
    if b.signature:
        out.append(f'<div class="signature">{html.escape(b.signature)}<br>{html.escape(long_date(b.issued))}</div>')
    out.append("</body></html>")
    return "\n".join(out)


def _current_language() -> str:
    from ..i18n import language

    return language()


# ---- CSV and XLSX --------------------------------------------------------------------------------------


def _csv_cell(value, places, header) -> str:
    # numbers stay numbers (a negative score is not a formula); text that a spreadsheet would run is defused
    return show(value, places, header) if isinstance(value, (Decimal, int)) else spreadsheet_text(str(value))


def to_csv(b: Bulletin) -> str:
    headers = row_headers(b)
    rows = [labels(["group", *headers])]
    for group_label, group_rows in b.groups:
        for r in group_rows:
            rows.append([spreadsheet_text(group_label)] + [_csv_cell(c, b.places, h) for h, c in zip(headers, row_cells(b, r))])
    for r in b.unlisted:
        rows.append([_("(unlisted)")] + [_csv_cell(c, b.places, h) for h, c in zip(headers, row_cells(b, r))])
    return csv_text(rows)


def to_xlsx(b: Bulletin, path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)

    def sheet(title, headers, rows):
        ws = workbook.create_sheet(_sheet_title(title, workbook))
        ws.append(labels(headers))
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

    for group_label, rows in b.groups:
        if rows:
            sheet(group_label, row_headers(b), [row_cells(b, r) for r in rows])
    if b.unlisted:
        sheet(_("unlisted"), UNLISTED_HEADERS, [unlisted_cells(b, r) for r in b.unlisted])
    if b.items:
        sheet(_("sections"), SECTION_HEADERS, [section_cells(s) for s in b.sections])
        sheet(_("items"), item_headers(b.items), [item_cells(i, b.items) for i in b.items])
    if not workbook.sheetnames:
        sheet(_("bulletin"), row_headers(b), [])
    workbook.save(path)


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
