"""Scorecard renderers: the `score` command's table, CSV and JSON views of a Scorecard (bulletins are in `reports`)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from ..engine.results import Scorecard, UnitResult
from ..i18n import _
from ..numbers import fmt_decimal, percent, plain
from .safety import csv_text, spreadsheet_text, terminal_text
from .tables import render_table


def item_columns(card: Scorecard) -> list[str]:
    # a unit combined from its members lists them as its items; the columns are the rubric's items
    first = next((u for u in card.units if not u.members), None)
    return [i.item_id for i in first.items] if first else []


def _item_cell(card: Scorecard, unit: UnitResult, item_id: str, blank: str) -> str:
    try:
        return fmt_decimal(unit.item(item_id).score, card.places, card.rounding) or blank
    except KeyError:  # a unit combined from its members has none of the rubric's items
        return blank


def _graded(card: Scorecard) -> bool:
    """Whether any unit has a grade or a status (then the views show them)."""
    return any(u.grade is not None or u.status is not None for u in card.units)


def graded_items(card: Scorecard) -> list[str]:
    """The items (and parts) with grade bands of their own (`grade by score: …`), in rubric order."""
    first = next((u.items for u in card.units if not u.members), ())
    return [entry.item_id for item in first for entry in (item, *item.parts) if entry.grade_notes]


def _item_grade(unit: UnitResult, item_id: str, missing: str) -> str:
    try:
        return unit.item(item_id).grade or missing
    except KeyError:
        return missing


def scorecard_table(card: Scorecard, units: Sequence[UnitResult] | None = None) -> str:
    """Rank, unit, group, each item's score, total, target and completion, aligned for a terminal."""
    items = item_columns(card)
    # a grade column when some unit has a grade, a status column when some unit has a status (a rubric with
    # statuses alone showed an empty grade column and hid its statuses)
    graded = any(u.grade is not None for u in card.units)
    with_status = any(u.status is not None for u in card.units)
    item_grades = graded_items(card)
    headers = [_("rank"), _("unit"), _("group"), *items, *(_("{item} grade", item=i) for i in item_grades)]
    headers += [_("total"), _("target"), _("done %")] + ([_("grade")] if graded else []) + ([_("status")] if with_status else [])
    rows = []
    for u in card.units if units is None else units:
        rows.append(
            [
                u.rank or "—",
                terminal_text(u.unit, one_line=True),
                terminal_text(u.group_label or u.group or _("(unlisted)"), one_line=True),
                *[_item_cell(card, u, item_id, "—") for item_id in items],
                *[terminal_text(_item_grade(u, item_id, "—"), one_line=True) for item_id in item_grades],
                _("no score") if u.total is None else fmt_decimal(u.total, card.places, card.rounding),
                plain(u.target) if u.target is not None else "—",
                percent(u.completion, card.rounding) if u.completion is not None else "—",
            ]
            + ([terminal_text(u.grade or "—", one_line=True)] if graded else [])
            + ([terminal_text(u.status or "—", one_line=True)] if with_status else [])
        )
    # right-aligned: rank, item scores, total, target, done % (grades and statuses are words)
    after_grades = 3 + len(items) + len(item_grades)
    numeric = set(range(3, 3 + len(items))) | set(range(after_grades, after_grades + 3)) | {0}
    title = card.title + (_(" (as of {date})", date=card.as_of) if card.as_of else "")
    return title + "\n\n" + render_table(headers, rows, numeric)


def scorecard_csv(card: Scorecard, units: Sequence[UnitResult] | None = None) -> str:
    """One row per unit; every item and part a column (a part's column holds its raw scale points;
    the total sums the items only)."""
    first = next((u.items for u in card.units if not u.members), ())
    columns = [entry.item_id for item in first for entry in (item, *item.parts)]
    graded = _graded(card)
    extra = ["grade", "status"] if graded else []
    item_grades = graded_items(card)
    grade_columns = [f"{item_id}_grade" for item_id in item_grades]
    rows: list[list[Any]] = [["rank", "unit", "group", "listed", *columns, *grade_columns, "total", "target", "completion_pct", *extra]]
    for u in card.units if units is None else units:
        rows.append(
            [
                u.rank or "",
                spreadsheet_text(u.unit),
                spreadsheet_text(u.group or ""),
                "yes" if u.listed else "no",
                *[_item_cell(card, u, column, "") for column in columns],
                *[spreadsheet_text(_item_grade(u, item_id, "")) for item_id in item_grades],
                fmt_decimal(u.total, card.places, card.rounding) if u.total is not None else "",
                plain(u.target) if u.target is not None else "",
                percent(u.completion, card.rounding) if u.completion is not None else "",
            ]
            + ([spreadsheet_text(u.grade or ""), spreadsheet_text(u.status or "")] if graded else [])
        )
    return csv_text(rows)


def scorecard_json(card: Scorecard, units: Sequence[UnitResult] | None = None, provenance: str = "events") -> str:
    """The JSON of `score --format json` (see `Scorecard.to_json`), optionally for some units only."""
    return "".join(scorecard_json_pieces(card, units, provenance))


PROVENANCE = ("none", "items", "events")


def scorecard_json_pieces(card: Scorecard, units: Sequence[UnitResult] | None = None, provenance: str = "events") -> Iterator[str]:
    """The same text as `json_text(card.to_json(provenance))`, in pieces: the scorecard's head, then each
    unit as it is turned into JSON (so a million events' provenance is never one string), then the tail."""
    data = card.to_json(provenance, units=False)
    marker = f"units-{uuid.uuid4().hex}"  # stands in for the units; no name or text can be it by chance
    data["units"] = marker
    head, tail = json_text(data).split(json.dumps(marker), 1)
    chosen = card.units if units is None else units
    if not chosen:
        yield head + "[]" + tail
        return
    yield head + "[\n"
    for index, unit in enumerate(chosen):
        text = json_text(unit.to_json(card.places, card.rounding, provenance))
        yield "    " + text.replace("\n", "\n    ") + (",\n" if index < len(chosen) - 1 else "\n")
    yield "  ]" + tail


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def json_text(data: object) -> str:
    """JSON as we print it: readable CJK, but C1 controls and bidi overrides escaped (json leaves them raw).

    orjson writes it (the stdlib's indenting encoder is pure Python: ~10x slower); its output with
    OPT_INDENT_2 is byte for byte json.dumps(ensure_ascii=False, indent=2)'s for the data we write
    (str keys, str/int/bool/None values, lists and dicts); anything orjson refuses (a lone surrogate,
    an int past 64 bits) falls back to the stdlib encoder.
    """
    try:
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


RENDERERS = {"table": scorecard_table, "csv": scorecard_csv, "json": scorecard_json}


def render_scorecard(card: Scorecard, format: str, units: Sequence[UnitResult] | None = None) -> str:
    """`format`: table, csv or json; the text ends with a newline."""
    text = RENDERERS[format](card, units)
    return text if text.endswith("\n") else text + "\n"
