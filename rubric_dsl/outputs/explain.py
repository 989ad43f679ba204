"""`explain`: a unit's ledger — every point earned or lost, the rule and clause behind it, and why not more."""

from __future__ import annotations

from decimal import Decimal

from ..engine.units import ALIAS
from ..errors import NotFound
from ..i18n import _
from ..numbers import DEFAULT_ROUNDING, fmt_decimal, percent, signed


def explain_unit(program, card, unit_name: str, item_id: str | None = None) -> str:
    unit = card.unit(unit_name)
    places = card.places
    head = unit.unit + ": " + (_("no score") if unit.total is None else _("{points} points", points=fmt_decimal(unit.total, places)))
    if unit.target:
        head += _(
            " of target {target} ({completion}%)", target=fmt_decimal(unit.target, None), completion=percent(unit.completion, card.rounding)
        )
    if unit.rank:
        head += _(", rank {rank}", rank=unit.rank)
    elif not unit.listed:
        head += _(", not ranked (not in the rubric's tables)")
    lines = [head]
    lines += [_("total: {note}", note=note) for note in unit.total_limits]
    lines.append(_("{title}; period {start} to {end}", title=card.title, start=card.period[0], end=card.period[1]))
    for match in card.matched_for(unit.unit):  # noted once, not on every ledger line
        why = _("an alias in the rubric") if match.why == ALIAS else _("the same name in the other script")
        lines.append(
            _("note: events naming `{name}` are counted here ({why}; first at {place})", name=match.name, why=why, place=match.first_at)
        )
    if item_id is None:
        # the unit's outcome: veto, grade, status, rank, and why (each line tried in order)
        grade = _("grade {grade}", grade=unit.grade) if unit.grade is not None else None
        status = _("status: {status}", status=unit.status) if unit.status is not None else None
        if unit.members:
            lines.append(_("made of its members: {members}", members=", ".join(unit.members)))
        if grade or status or unit.outcome_notes:
            outcome = "; ".join(x for x in (grade, status) if x) if grade or status else _("no grade")
            lines.append(_("outcome: {outcome}", outcome=outcome))
        for note in unit.outcome_notes:
            lines.append(f"  {note}")
    items = [i for i in unit.items if item_id is None or i.item_id == item_id or any(p.item_id == item_id for p in i.parts)]
    if item_id is not None and not items:
        raise NotFound(_("no item {item!r} in the rubric", item=item_id))
    for item in items:
        lines.append("")
        lines += _item_lines(item, places, indent="", only=item_id)
    return "\n".join(lines) + "\n"


def _short(value, places) -> str:
    """A rule's or event's points, exact unless a division left endless digits: then 4 more than the rubric's and `…`
    (the item's score, rounded once, is shown exactly above)."""
    text = signed(value)
    digits = places + 4
    if isinstance(value, Decimal) and value.as_tuple().exponent < -digits:
        return signed(value.quantize(Decimal(1).scaleb(-digits), rounding=DEFAULT_ROUNDING)) + "…"
    return text


def _item_lines(item, places, indent, only=None):
    base = _(" (base {base})", base=fmt_decimal(item.base, None)) if item.base is not None else ""
    out = [f"{indent}{item.item_id} {item.title}: {fmt_decimal(item.score, places)}{base}"]
    if item.text:
        out.append(f"{indent}  「{item.text}」")
    if item.grade_notes:  # `grade by score: …`: the band that gave the grade, and why not each band before it
        out.append(f"{indent}  " + "; ".join(item.grade_notes))
    owners = []
    if item.responsible:
        owners.append(_("responsible: {names}", names=", ".join(item.responsible)))
    if item.assisting:
        owners.append(_("assisting: {names}", names=", ".join(item.assisting)))
    if owners:
        out.append(f"{indent}  " + "; ".join(owners))
    for rule in item.rules:
        out.append(f"{indent}  {rule.rule}  → {_short(rule.points, places)}")
        for c in rule.contributions:
            who = c.event_id or "—"
            when = c.date.isoformat() if c.date else "          "
            what = f"  {c.what}" if c.what else ""
            # each ledger line names its clause, so a line read (or grepped) alone still says where it comes from
            out.append(f"{indent}    {when}  {who:<12} {_short(c.points, places):>8}  [{item.item_id}]{what}")
        for note in rule.notes:
            out.append(f"{indent}    " + _("note: {note}", note=note))
    for part in item.parts:
        if only is None or only in (item.item_id, part.item_id):
            out += _item_lines(part, places, indent + "  ")
    if item.parts:
        raw = sum((p.exact for p in item.parts), 0)
        scale = _(
            "scale: {raw} raw points → award {award} + extra {extra}",
            raw=fmt_decimal(raw, None),
            award=fmt_decimal(item.award, places),
            extra=fmt_decimal(item.bonus, places),
        )
        out.append(f"{indent}  {scale}")
    for limit in item.limits:
        out.append(f"{indent}  " + _("limit: {limit}", limit=limit))
    noted = {note for rule in item.rules for note in rule.notes}
    for reason in item.why_not:
        if reason not in noted:  # already shown under its rule
            out.append(f"{indent}  " + _("why not more: {reason}", reason=reason))
    return out


def explain_json(card, unit_name: str, item_id: str | None = None) -> dict:
    unit = card.unit(unit_name)
    data = unit.to_json(card.places, card.rounding)
    if item_id is not None:
        data["items"] = [i for i in data["items"] if item_id in (i["id"], i["part_of"]) or item_id in i["parts"]]
    data["rules"] = {
        item.item_id: [
            {
                "rule": r.rule,
                "verb": r.verb,
                "points": fmt_decimal(r.points, None),
                "notes": list(r.notes),
                "events": [
                    {
                        "id": c.event_id,
                        "date": c.date.isoformat() if c.date else None,
                        "points": fmt_decimal(c.points, None),
                        "what": c.what,
                    }
                    for c in r.contributions
                ],
            }
            for r in item.rules
        ]
        for top in unit.items
        for item in (top, *top.parts)
    }
    return data
