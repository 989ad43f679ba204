"""Unit outcomes after the items: vetoes, grades and statuses, units combined from their members, and ranks with tie-breaks."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs

from ..i18n import N_, _, join_clauses, join_names, tr
from ..language import nodes as n
from ..language.render import render_condition, render_rank_key
from ..numbers import plain
from .ranking import ranked_by
from .results import ItemResult, UnitResult

ZERO = Decimal(0)
PICKS: dict[str, Callable[[list[Decimal]], Decimal]] = {
    "sum": lambda scores: sum(scores, ZERO),
    "average": lambda scores: sum(scores, ZERO) / len(scores),
    "highest": max,
    "lowest": min,
}


def cited_clause(rubric: n.Rubric, statement) -> str | None:
    """The clause id a `clause` line under `statement` cites, if any (None for no statement)."""
    if statement is None:
        return None
    for clause, target in rubric.citations:
        if target is statement:
            return clause.clause_id
    return None


def settle(program, ev, result: UnitResult) -> UnitResult:
    """Apply the rubric's vetoes (the first that holds fixes the total and stops the rest), then its grades
    and statuses (the first of each that holds); `outcome_notes` say why, for explain."""
    rubric = program.rubric
    ev.total = result.total
    notes: list[str] = []
    for veto in rubric.vetoes:
        holds, reasons, records = ev.condition(veto.condition)
        clause = cited_clause(rubric, veto)
        condition = render_condition(veto.condition)
        if not holds:
            why_not = join_clauses(reasons) or _("{condition} does not hold", condition=condition)
            if clause:
                notes.append(_("not vetoed ({clause}): {reasons}", clause=clause, reasons=why_not))
            else:
                notes.append(_("not vetoed: {reasons}", reasons=why_not))
            continue
        evidence = join_names(_("{event} ({date})", event=r[1], date=r[2]) for r in sorted(records, key=lambda r: (r[2], r[0]))[:5])
        members = [m.unit for m in ev.members if m.vetoed]
        if members and not evidence:
            evidence = _("vetoed member {members}", members=join_names(members))
        why = (
            _("vetoed ({clause}): {condition}", clause=clause, condition=condition)
            if clause
            else _("vetoed: {condition}", condition=condition)
        )
        if evidence:
            why = _("{name}: {reason}", name=why, reason=evidence)
        total = None if veto.no_score else veto.score.value
        items = tuple(_not_scored(item, why) for item in result.items)
        if total is None:
            notes.append(_("{veto}; no score, nothing else is scored", veto=why))
        else:
            notes.append(_("{veto}; the total is fixed at {score}, nothing else is scored", veto=why, score=veto.score.literal))
        fired: tuple[str, ...] = (clause,) if clause else ()
        if veto.grade is not None:
            notes.append(_("grade {label}: set by the veto", label=veto.grade))
        if veto.status is not None:
            status, status_notes = veto.status, [_("status {label}: set by the veto", label=veto.status)]
        else:
            status, status_notes, _line = _first(ev, rubric.statuses, "status")
        return attrs.evolve(
            result,
            total=total,
            items=items,
            grade=veto.grade,
            status=status,
            vetoed=why,
            completion=None,
            total_limits=(),  # the veto fixed the total: no floor or cap moved it
            outcome_notes=tuple(notes + status_notes),
            outcome_clauses=fired,
        )
    grade, grade_notes, grade_line = _first(ev, rubric.grades, "grade")
    status, status_notes, status_line = _first(ev, rubric.statuses, "status")
    fired = tuple(c for c in (cited_clause(rubric, grade_line), cited_clause(rubric, status_line)) if c)
    return attrs.evolve(result, grade=grade, status=status, outcome_notes=tuple(notes + grade_notes + status_notes), outcome_clauses=fired)


def _first(ev, statements, word: str):
    """The label of the first statement that holds, and a note for each one tried (why it did not hold)."""
    notes = []
    for statement in statements:
        label = statement.label if word == "grade" else statement.text
        shown = _("none") if label is None else label
        said = OUTCOME_WORDS[word]
        if statement.condition is None:
            notes.append(tr(said["otherwise"]).format(label=shown))
            return label, notes, statement
        outcome = ev.condition(statement.condition)
        if outcome[0]:
            notes.append(tr(said["holds"]).format(label=shown, condition=render_condition(statement.condition)))
            return label, notes, statement
        notes.append(tr(said["not"]).format(label=shown, reasons=join_clauses(outcome[1])))
    return None, notes, None


def _not_scored(item: ItemResult, why: str) -> ItemResult:
    parts = tuple(_not_scored(part, why) for part in item.parts)
    return item.zeroed((_("not scored: {why}", why=why),), uncounted=item.score, parts=parts)


# What explain says of each grade or status tried: one message per word and case (translated where shown).
OUTCOME_WORDS = {
    "grade": {
        "otherwise": N_("grade {label}: otherwise"),
        "holds": N_("grade {label}: {condition}"),
        "not": N_("not grade {label}: {reasons}"),
    },
    "status": {
        "otherwise": N_("status {label}: otherwise"),
        "holds": N_("status {label}: {condition}"),
        "not": N_("not status {label}: {reasons}"),
    },
}


# ---- units combined from their members -------------------------------------------------------


def members_by_parent(program, results) -> dict:
    """parent unit name → its member unit names (in table order), from `combine members by ATTR`."""
    combine = program.rubric.combine
    if combine is None:
        return {}
    names = {r.unit for r in results}
    members: dict = {}
    for name, decl in program.units.items():
        parent = decl.attribute(combine.attribute)
        if isinstance(parent, str) and parent in names and parent != name:
            members.setdefault(parent, []).append(name)
    return members


def combine_and_settle(program, results: list, evaluations: dict) -> list:
    """Settle every unit; a unit with members is first scored from their settled results: one item per
    member (its total), and the combined total."""
    members_of = members_by_parent(program, results)
    by_name = {r.unit: r for r in results}
    settled: dict = {}
    pending = list(by_name)
    while pending:
        progressed = False
        for name in list(pending):
            members = members_of.get(name, [])
            if any(m not in settled for m in members):
                continue
            result = by_name[name]
            ev = evaluations[name]
            if members:
                result = _combined(program, result, [settled[m] for m in members])
                ev.members = [settled[m] for m in members]
                ev.member_evaluations = [evaluations[m] for m in members]
                ev.scores = {item.item_id: item for item in result.items}
            settled[name] = settle(program, ev, result)
            pending.remove(name)
            progressed = True
        if not progressed:  # members naming each other in a ring: settle them as they are
            for name in pending:
                settled[name] = settle(program, evaluations[name], by_name[name])
            break
    return [settled[r.unit] for r in results]


# How a unit's total made of its members' is described, one message per way of combining.
MEMBER_TOTALS = {
    "sum": N_("sum of {count} members' totals"),
    "average": N_("average of {count} members' totals"),
    "highest": N_("highest of {count} members' totals"),
    "lowest": N_("lowest of {count} members' totals"),
}


def _combined(program, result: UnitResult, members: list) -> UnitResult:
    pick = program.rubric.combine.pick
    totals = [m.total for m in members if m.total is not None]
    total = program.round(PICKS.get(pick, PICKS["sum"])(totals)) if totals else ZERO
    items = tuple(
        ItemResult(
            m.unit,
            m.unit,
            m.total if m.total is not None else ZERO,
            None,
            m.total if m.total is not None else ZERO,
            ZERO,
            ZERO,
            m.total if m.total is not None else ZERO,
            why_not=(_("no score: {why}", why=m.vetoed),) if m.total is None else (),
            exact=m.total if m.total is not None else ZERO,
        )
        for m in members
    )
    limits = tr(MEMBER_TOTALS.get(pick, MEMBER_TOTALS["sum"])).format(count=len(members))
    items = tuple(attrs.evolve(i, limits=(limits,)) for i in items)
    target = result.target
    return attrs.evolve(
        result,
        items=items,
        total=total,
        members=tuple(m.unit for m in members),
        completion=(total / target) if target else None,
        total_limits=(),  # the members' totals combined, not its own items' sum
    )


# ---- ranks ------------------------------------------------------------------------------------


def rank_results(program, results: list, evaluations: dict) -> list:
    """Ranks: without a `rank` line, listed units by total, best first, ties sharing a rank (1, 2, 2, 4).
    With one, within each value of its `within` attribute, by its keys in order; units with the same
    keys share a rank. Units without a total (vetoed, no score) and unlisted units are not ranked."""
    spec = program.rubric.rank
    rankable = [r for r in results if r.listed and r.total is not None]
    unranked = [r for r in results if not (r.listed and r.total is not None)]
    unranked.sort(key=lambda r: (r.total is None, -(r.total or ZERO), r.unit))
    if spec is None:
        partitions: dict[str | None, list[UnitResult]] = {None: rankable}
        keys = {r.unit: (-r.total,) for r in rankable}
    else:
        partitions = {}
        for r in rankable:
            decl = program.units.get(r.unit)
            value = decl.attribute(spec.within) if decl is not None and spec.within else None
            partitions.setdefault(value if value is not None else "", []).append(r)
        per_key = {r.unit: [_key(program, key, r, evaluations.get(r.unit)) for key in spec.keys] for r in rankable}
        keys = {unit: tuple(k for part in parts for k in part) for unit, parts in per_key.items()}
    ranked = []
    for value, members in sorted(partitions.items(), key=lambda kv: str(kv[0])):
        order = ranked_by(members, lambda r: keys[r.unit], _name)
        for position, (rank, result) in enumerate(order):
            note: tuple[str, ...] = ()
            if spec is not None:
                shown = join_clauses(_key_text(program, key, result, evaluations.get(result.unit)) for key in spec.keys)
                if spec.within:
                    note = (
                        _(
                            "rank {rank} of {count} among units with {attribute} {value}, by {keys}: {shown}",
                            rank=rank,
                            count=len(members),
                            attribute=spec.within,
                            value=value or _("(none)"),
                            keys=render_rank(spec),
                            shown=shown,
                        ),
                    )
                else:
                    note = (
                        _("rank {rank} of {count}, by {keys}: {shown}", rank=rank, count=len(members), keys=render_rank(spec), shown=shown),
                    )
                neighbours = [order[i][1] for i in (position - 1, position + 1) if 0 <= i < len(order)]
                note += tuple(
                    _decided(spec, per_key, result, other) for other in neighbours if per_key[other.unit][0] == per_key[result.unit][0]
                )
            ranked.append(attrs.evolve(result, rank=rank, outcome_notes=result.outcome_notes + note))
    return ranked + unranked


def _decided(spec: n.Rank, per_key: dict, result: UnitResult, other: UnitResult) -> str:
    """For explain: which key put a unit above or below a neighbour level with it on the first key (Japan and
    Senegal on points: decided by conduct), or that they are level on every key and share the rank."""
    mine, theirs = per_key[result.unit], per_key[other.unit]
    level = [render_rank_key(key) for key, a, b in zip(spec.keys, mine, theirs, strict=True) if a == b]
    deciding = next((index for index, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b), None)
    if deciding is None:
        return _("level with {other} on every key: the rank is shared", other=other.unit)
    side = _("above {other}", other=other.unit) if mine[deciding] < theirs[deciding] else _("below {other}", other=other.unit)
    return _(
        "{side}: level on {level}; decided by {key}",
        side=side,
        level=", ".join(level[:deciding]),
        key=render_rank_key(spec.keys[deciding]),
    )


def _name(result: UnitResult) -> str:
    return result.unit


def _key(program, key: n.RankKey, result: UnitResult, ev) -> tuple:
    """Sort values for one key, smaller first = better."""
    sign = 1 if key.lowest_first else -1
    if key.what == "total":
        assert result.total is not None, "only units with a total are ranked"
        return (sign * result.total,)
    if key.what == "score":
        assert key.item is not None, "the builder gives every `score of ITEM` key its item"
        try:
            return (sign * result.item(key.item).score,)
        except KeyError:
            return (ZERO,)
    # countback: more of the first declared value, then of the second, …
    assert key.source is not None, "the builder gives every countback key its source"
    kind = next(k for k in program.rubric.kinds if k.name == key.source.kind)
    field = next(f for f in kind.fields if f.name == key.field)
    counts = _counts(ev, key)
    return tuple(-counts.get(str(choice), 0) for choice in field.type.choices)


def _counts(ev, key: n.RankKey) -> dict:
    """How many events of each value the countback compares; a unit made of members counts theirs (a team,
    its drivers' results)."""
    counts: dict = {}
    if ev is None:
        return counts
    for member in ev.member_evaluations or [ev]:
        for record in member.records(key):
            if record[5] is not None:
                counts[str(record[5])] = counts.get(str(record[5]), 0) + record[4]
    return counts


def render_rank(spec: n.Rank) -> str:
    return ", then ".join(render_rank_key(k) for k in spec.keys)


def _key_text(program, key: n.RankKey, result: UnitResult, ev) -> str:
    """For explain: what one key compares for this unit."""
    if key.what == "total":
        return f"total {plain(result.total)}"
    if key.what == "score":
        assert key.item is not None, "the builder gives every `score of ITEM` key its item"
        try:
            return f"{key.item} {plain(result.item(key.item).score)}"
        except KeyError:
            return _("{item} is not scored", item=key.item)
    assert key.source is not None, "the builder gives every countback key its source"
    kind = next(k for k in program.rubric.kinds if k.name == key.source.kind)
    field = next(f for f in kind.fields if f.name == key.field)
    counts = _counts(ev, key)
    shown = [f"{choice} ×{counts[str(choice)]}" for choice in field.type.choices if counts.get(str(choice))]
    return f"{key.field} " + (join_names(shown) if shown else _("none"))
