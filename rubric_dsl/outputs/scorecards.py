"""Scorecard renderers: the `score` command's table, CSV and JSON views of a Scorecard (bulletins are in `reports`)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from ..engine.results import Scorecard, UnitResult
from ..numbers import fmt_decimal, percent, plain
from .safety import csv_text, spreadsheet_text, terminal_text
from .tables import render_table


def item_columns(card: Scorecard) -> list[str]:
    first = card.units[0] if card.units else None
    return [i.item_id for i in first.items] if first else []


def scorecard_table(card: Scorecard, units: Sequence[UnitResult] | None = None) -> str:
    """Rank, unit, group, each item's score, total, target and completion, aligned for a terminal."""
    items = item_columns(card)
    headers = ["rank", "unit", "group", *items, "total", "target", "done %"]
    rows = []
    for u in card.units if units is None else units:
        rows.append(
            [
                u.rank or "—",
                terminal_text(u.unit, one_line=True),
                terminal_text(u.group_label or u.group or "(unlisted)", one_line=True),
                *[fmt_decimal(i.score, card.places, card.rounding) for i in u.items],
                fmt_decimal(u.total, card.places, card.rounding),
                plain(u.target) if u.target is not None else "—",
                percent(u.completion, card.rounding) if u.completion is not None else "—",
            ]
        )
    numeric = set(range(3, len(headers))) | {0}
    title = f"{card.title}" + (f" (as of {card.as_of})" if card.as_of else "")
    return title + "\n\n" + render_table(headers, rows, numeric)


def scorecard_csv(card: Scorecard, units: Sequence[UnitResult] | None = None) -> str:
    """One row per unit; every item and part a column (a part's column holds its raw scale points;
    the total sums the items only)."""
    first = card.units[0].items if card.units else ()
    columns = [entry.item_id for item in first for entry in (item, *item.parts)]
    rows: list[list[object]] = [["rank", "unit", "group", "listed", *columns, "total", "target", "completion_pct"]]
    for u in card.units if units is None else units:
        rows.append(
            [
                u.rank or "",
                spreadsheet_text(u.unit),
                spreadsheet_text(u.group or ""),
                "yes" if u.listed else "no",
                *[fmt_decimal(entry.score, card.places, card.rounding) for item in u.items for entry in (item, *item.parts)],
                fmt_decimal(u.total, card.places, card.rounding),
                plain(u.target) if u.target is not None else "",
                percent(u.completion, card.rounding) if u.completion is not None else "",
            ]
        )
    return csv_text(rows)


def scorecard_json(card: Scorecard, units: Sequence[UnitResult] | None = None) -> str:
    """The JSON of `score --format json` (see `Scorecard.to_json`), optionally for some units only."""
    data = card.to_json()
    if units is not None:
        data["units"] = [u.to_json(card.places, card.rounding) for u in units]
    return json_text(data)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def json_text(data: object) -> str:
    """JSON as we print it: readable CJK, but C1 controls and bidi overrides escaped (json leaves them raw)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


RENDERERS = {"table": scorecard_table, "csv": scorecard_csv, "json": scorecard_json}


def render_scorecard(card: Scorecard, format: str, units: Sequence[UnitResult] | None = None) -> str:
    """`format`: table, csv or json; the text ends with a newline."""
    text = RENDERERS[format](card, units)
    return text if text.endswith("\n") else text + "\n"
