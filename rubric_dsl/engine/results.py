"""The scorecard model: per unit and per item results with their provenance, and JSON/CSV views."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import NotFound
from ..numbers import DEFAULT_ROUNDING, fmt_decimal, percent, plain_number
from .plan import ZERO, ExclusionReason

if TYPE_CHECKING:
    from ..sources.events import EventProblem


@attrs.frozen
class Contribution:
    """Points one event (or one counted thing) brought to a rule."""

    event_id: str | None
    date: datetime.date | None
    points: Decimal
    what: str = ""


class Lazy:
    """A tuple built on first use: the provenance of a million events is only made if someone reads it."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], Iterable[Contribution]]) -> None:
        self._make: Callable[[], Iterable[Contribution]] | None = make
        self._value: tuple[Contribution, ...] = ()

    def _get(self) -> tuple[Contribution, ...]:
        if self._make is not None:
            self._value = tuple(self._make())
            self._make = None
        return self._value

    def __iter__(self) -> Iterator[Contribution]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __getitem__(self, index: int) -> Contribution:
        return self._get()[index]

    def __bool__(self) -> bool:
        return bool(self._get())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lazy):
            return self._get() == other._get()
        if isinstance(other, Iterable):
            return self._get() == tuple(other)
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._get())


@attrs.frozen
class RankPlace:
    """Where a rule's points by rank placed the unit: its `rank` among `of` peers ranked (None: not ranked), the
    value ranked, the pool (`within` value) and the points the place earned."""

    rank: int | None
    of: int
    value: Decimal | None
    within: str | None
    points: Decimal
    shown: str  # the value as explain writes it: `count adopted is 12`

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "of": self.of,
            "value": fmt_decimal(self.value, None) if self.value is not None else None,
            "within": self.within,
            "points": fmt_decimal(self.points, None),
        }


@attrs.frozen
class RuleOutcome:
    """What one rule gave: `points` (negative for deductions), before-cap `raw`, and why."""

    verb: str
    rule: str
    points: Decimal
    raw: Decimal
    contributions: Lazy | tuple[Contribution, ...] = ()
    notes: tuple[str, ...] = ()
    cap_note: str | None = None  # the note saying the rule's `at most` bit (also in `notes`)
    uncounted_notes: tuple[str, ...] = ()  # the notes (also in `notes`) saying events are not counted yet
    placed: RankPlace | None = None  # points by rank: where the unit was placed

    @property
    def capped(self) -> bool:
        return self.cap_note is not None


@attrs.frozen
class ItemResult:
    """One item for one unit: rounded `score`, its parts (base award, bonus, deduction) and what bit."""

    item_id: str
    title: str
    score: Decimal
    base: Decimal | None
    award: Decimal
    bonus: Decimal
    deduction: Decimal
    raw: Decimal
    limits: tuple[str, ...] = ()
    why_not: tuple[str, ...] = ()
    rules: tuple[RuleOutcome, ...] = ()
    parts: tuple[ItemResult, ...] = ()
    responsible: tuple[str, ...] = ()
    assisting: tuple[str, ...] = ()
    text: str | None = None
    section: str | None = None
    exact: Decimal | None = None  # the bounded score before rounding; a scaled item converts its parts' exact sum
    in_total: bool = True  # False: `not in the total`, shown but not added
    uncounted: Decimal | None = None  # `only when` did not hold: the score it would have had
    chosen: tuple[str, Any] | None = None  # `scored per …, taking the latest [as NAME]`: (NAME, the sub-entity's value)
    entity_rules: tuple[tuple[RuleOutcome, ...], ...] = ()  # `scored per`: every sub-entity's rule outcomes (for coverage)
    # The lines of `why_not` saying events were left uncounted (outside the window or the period, after the
    # as-of date, still waiting): an `only when` that does not hold zeroes the item but keeps these.
    why_not_uncounted: tuple[str, ...] = ()
    grade: str | None = None  # `grade by score: …` on the item: the band its score is in (None: no band holds, or none)
    grade_notes: tuple[str, ...] = ()  # which band gave the grade, and why each band before it did not

    def zeroed(self, why_not: tuple[str, ...], uncounted: Decimal | None = None, **changes: Any) -> ItemResult:
        """This item scoring nothing (an `only when` that did not hold, a veto, nothing to score per
        sub-entity): every amount 0, no rules or limits, and the reasons why."""
        return attrs.evolve(
            self,
            score=ZERO,
            award=ZERO,
            bonus=ZERO,
            deduction=ZERO,
            raw=ZERO,
            exact=ZERO,
            rules=(),
            limits=(),
            why_not=why_not,
            uncounted=uncounted,
            **{"grade": None, "grade_notes": (), **changes},  # a vetoed item has no grade (grade bands are applied after)
        )

    def to_json(self, places: int, part_of: str | None = None, provenance: str = "events") -> dict[str, Any]:
        """`provenance`: `events` lists every event's points; `items` each rule's points instead (a size
        that does not grow with the events); `none` neither."""
        data: dict[str, Any] = {
            "id": self.item_id,
            "part_of": part_of,
            "title": self.title,
            "section": self.section,
            "text": self.text,
            "score": fmt_decimal(self.score, places),
            "base": fmt_decimal(self.base, places) if self.base is not None else None,
            "award": fmt_decimal(self.award, places),
            "bonus": fmt_decimal(self.bonus, places),
            "deduction": fmt_decimal(self.deduction, places),
            "limits": list(self.limits),
            "why_not": list(self.why_not),
            "responsible": list(self.responsible),
            "assisting": list(self.assisting),
            "events": None,
            "parts": [part.item_id for part in self.parts],
            "in_total": self.in_total,
            "uncounted": fmt_decimal(self.uncounted, places) if self.uncounted is not None else None,
            "chosen": {"name": self.chosen[0], "value": self.chosen[1]} if self.chosen else None,
            "grade": self.grade,  # `grade by score: …` on the item (null: no grade)
            # points by rank: each such rule's place for the unit (rank null: not ranked)
            "ranked": [{"rule": rule.rule, **rule.placed.to_json()} for rule in self.rules if rule.placed is not None],
        }
        if provenance == "events":
            data["events"] = [
                {"id": c.event_id, "date": c.date.isoformat() if c.date else None, "points": fmt_decimal(c.points, None), "rule": rule.rule}
                for rule in self.rules
                for c in rule.contributions
            ]
        elif provenance == "items":  # in the same place, instead of the events: what each rule gave
            data = {("rules" if key == "events" else key): value for key, value in data.items()}
            data["rules"] = [
                {"rule": rule.rule, "verb": rule.verb, "points": fmt_decimal(rule.points, None), "uncapped": fmt_decimal(rule.raw, None)}
                for rule in self.rules
            ]
        else:
            del data["events"]
        return data


@attrs.frozen
class UnitResult:
    """One unit's scorecard: total, target, completion (a fraction), rank and items."""

    unit: str
    group: str | None
    group_label: str | None
    target: Decimal | None
    total: Decimal | None  # None: no score (a veto that gives none)
    items: tuple[ItemResult, ...]
    listed: bool = True
    rank: int | None = None
    completion: Decimal | None = None
    excluded: int = 0
    named: tuple[
        tuple[str, Decimal | bool | None], ...
    ] = ()  # (name, value) of every `let`: Decimal or None (no value) for values, bool for conditions
    grade: str | None = None
    status: str | None = None
    vetoed: str | None = None  # why the unit was vetoed (the veto's text and clause), or None
    members: tuple[str, ...] = ()  # for a unit combined from its members: their names
    outcome_notes: tuple[str, ...] = ()  # why its veto, grade, status and rank are what they are (for explain)
    outcome_clauses: tuple[str, ...] = ()  # the clauses cited by the veto, grade and status lines that held (for coverage)
    total_limits: tuple[str, ...] = ()  # how `total floor` or `total cap` moved the items' sum (for explain)

    def chosen(self, name: str) -> Any:
        """A named result (`scored per …, taking the latest as NAME`): the chosen sub-entity's value."""
        for item in self.items:
            for entry in (item, *item.parts):
                if entry.chosen and entry.chosen[0] == name:
                    return entry.chosen[1]
        raise KeyError(name)

    def item(self, item_id: str) -> ItemResult:
        for item in self.items:
            if item.item_id == item_id:
                return item
            for part in item.parts:
                if part.item_id == item_id:
                    return part
        raise NotFound(f"no item {item_id!r} in the scorecard of {self.unit!r}")

    def to_json(self, places: int, rounding: str = DEFAULT_ROUNDING, provenance: str = "events") -> dict[str, Any]:
        return {
            "unit": self.unit,
            "group": self.group,
            "group_label": self.group_label,
            "listed": self.listed,
            "rank": self.rank,
            "target": plain_number(self.target),
            "total": fmt_decimal(self.total, places),  # null: no score (a veto)
            "grade": self.grade,
            "status": self.status,
            "vetoed": self.vetoed,
            "members": list(self.members),
            "outcome_notes": list(self.outcome_notes),
            "total_limits": list(self.total_limits),
            "completion": percent(self.completion, rounding) if self.completion is not None else None,
            # named values (decimal strings, null: no value) and named conditions (true/false), by name
            "named": {name: value if isinstance(value, bool) or value is None else fmt_decimal(value, None) for name, value in self.named},
            # Every item of the rubric, parts right after their item (marked `part_of`; their points are
            # raw scale points, already converted into the item's score, so a total sums top-level items only).
            "items": [
                entry
                for item in self.items
                for entry in (
                    item.to_json(places, None, provenance),
                    *(part.to_json(places, item.item_id, provenance) for part in item.parts),
                )
            ],
        }


@attrs.frozen
class Excluded:
    """An event kept out of the scores, and why (out of window, after the as-of date, re-sent)."""

    event_id: str | None
    unit: str | None
    kind: str | None
    date: datetime.date | None
    place: str
    reason: ExclusionReason
    detail: str = ""  # e.g. where a re-sent event was first seen
    seq: int = attrs.field(default=-1, eq=False, repr=False)  # the event's position in the stream: orders merged chunks
    # how many events this entry stands for: 1, except in a compact tally's scorecard, which counts the
    # excluded events of a unit, kind and reason in one entry (no id, date or place)
    count: int = attrs.field(default=1, repr=False)

    @property
    def reason_text(self) -> str:
        return f"{self.reason.value} ({self.detail})" if self.detail else self.reason.value


@attrs.frozen
class UnitMatch:
    """Events named `name` were counted for the listed unit `unit`: `why` is `alias` or `other_script`."""

    name: str
    unit: str
    why: str
    first_at: str


@attrs.define
class Scorecard:
    """Scores of every unit for one rubric and one event stream; `units` ranked, best first."""

    title: str
    units: list[UnitResult]
    excluded: list[Excluded]
    problems: list[EventProblem]
    warnings: list[str]
    as_of: datetime.date | None
    period: tuple[datetime.date, datetime.date]
    places: int
    events_read: int = 0
    events_scored: int = 0
    matched: list[UnitMatch] = attrs.Factory(list)  # UnitMatch: names counted for a listed unit under another spelling
    rounding: str = DEFAULT_ROUNDING  # the rubric's rounding, for every number shown with fewer digits than it has
    period_label: str | None = None  # the period scored (2022-Q1, a declared period's name), None: the whole window

    def matched_for(self, unit: str) -> list[UnitMatch]:
        return [m for m in self.matched if m.unit == unit]

    def unit(self, name: str) -> UnitResult:
        for unit in self.units:
            if unit.unit == name:
                return unit
        raise NotFound(f"no unit {name!r} in the scorecard")

    def total(self, name: str) -> Decimal | None:
        return self.unit(name).total

    def excluded_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.excluded:
            counts[e.reason.value] = counts.get(e.reason.value, 0) + e.count
        return counts

    def to_json(self, provenance: str = "events", units: bool = True) -> dict[str, Any]:
        """The scorecard as JSON data. `provenance`: `events` (every event's points, every excluded event),
        `items` (each rule's points; excluded events only counted) or `none`; see ItemResult.to_json.
        `units=False` leaves the units out (`[]`), for a writer that adds them one at a time."""
        data: dict[str, Any] = {
            "rubric": self.title,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "period": [d.isoformat() for d in self.period],
            "period_label": self.period_label,
            "units": [unit.to_json(self.places, self.rounding, provenance) for unit in self.units] if units else [],
            "excluded": [
                {
                    "id": e.event_id,
                    "unit": e.unit,
                    "kind": e.kind,
                    "date": e.date.isoformat() if e.date else None,
                    "place": e.place,
                    "reason": e.reason_text,
                }
                for e in self.excluded
            ],
            "excluded_counts": self.excluded_counts(),
            "rejected": [p.to_json() for p in self.problems],
            "warnings": list(self.warnings),
            "events_read": self.events_read,
            "events_scored": self.events_scored,
            "matched_names": [{"name": m.name, "unit": m.unit, "why": m.why, "first_at": m.first_at} for m in self.matched],
        }
        if provenance != "events":
            del data["excluded"]  # one entry per event: `excluded_counts` says how many, and why
        return data
