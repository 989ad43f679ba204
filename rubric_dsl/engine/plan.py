"""The scoring plan: which record lists (slots) a rubric needs, the record layout, months, and exclusion reasons.

This is the contract between the generated per-event handlers (`codegen`, which fill the slots) and
the item evaluation (`evaluation`, which reads them): both take slot keys from `slot_for` and record
fields from the positions below, so neither rebuilds the other's conventions.
"""

from __future__ import annotations

import calendar
import datetime
import enum
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

import attrs

from ..errors import NoCase
from ..language import nodes as n

ZERO = Decimal(0)


# ---- records: what a unit keeps per event and slot ---------------------------------------------


class Record(NamedTuple):
    """The layout of one slot record. Records are plain tuples in this order, not instances: one is
    made per event and slot, and a tuple literal is built twice as fast and indexed faster (CPython
    specialises tuple[int]). Read them with the field positions below, never with bare numbers."""

    seq: int  # position of the event in its stream (orders ties of equal dates)
    event_id: str
    date: datetime.date
    month: int  # month_key(date)
    quantity: int
    value: object  # None, a field's value, (field value, rate) or (distinct value, tested value): see SlotKey


SEQ, EVENT_ID, DATE, MONTH, QUANTITY, VALUE = range(len(Record._fields))


def by_date(record: tuple[Any, ...]) -> tuple[datetime.date, int]:
    """Sort key: date, then position in the stream."""
    return record[DATE], record[SEQ]


class DayInfo(NamedTuple):
    """What the per-run date cache holds for a date text (a plain tuple in this order, like Record)."""

    date: datetime.date
    month: int
    excluded: ExclusionReason | None  # None: inside the window


DAY_DATE, DAY_MONTH, DAY_EXCLUDED = range(len(DayInfo._fields))
# A compact tally's date cache holds one more field: the date's number in the tally's table of days.
DAY_NUMBER = len(DayInfo._fields)


class IdEntry(NamedTuple):
    """What the id index keeps per event id (a plain tuple in this order): enough to recognise a
    re-send and to place, date and attribute the event later, without keeping the event. A later copy
    is a re-send when its fingerprint, unit and date are the first copy's (runtime.judge)."""

    fingerprint: bytes  # a digest of the rest of the canonical content: kind, quantity, fields (codegen)
    place: object  # an int offset or a Place; resolved against the tally's path when shown
    seq: int
    kind: str
    unit: str
    day: tuple[datetime.date, int, ExclusionReason | None]  # DayInfo layout


# ---- months --------------------------------------------------------------------------------------


def month_key(day: datetime.date) -> int:
    """Months counted from year 0, so consecutive months are consecutive integers."""
    return day.year * 12 + day.month - 1


def month_label(key: int) -> str:
    return f"{key // 12:04d}-{key % 12 + 1:02d}"


def months_of(window: n.Window, as_of: datetime.date | None) -> list[int]:
    """The month keys of the window that have begun by `as_of` (all of them without one)."""
    first = month_key(window.start)
    last = month_key(min(window.end, as_of) if as_of else window.end)
    return list(range(first, last + 1))


def as_of_for_month(window: n.Window, year: int, month: int) -> datetime.date:
    """The as-of date of a monthly bulletin: the month's last day, or the window's end if earlier."""
    # the month's last day, found without stepping past it (9999-12 has no next month)
    return min(datetime.date(year, month, calendar.monthrange(year, month)[1]), window.end)


# ---- periods: the part of the window one run scores ------------------------------------------------

PERIOD_UNITS = ("week", "month", "quarter", "year")


def quarter_key(month: int) -> int:
    """Quarters counted from year 0 (from a month key)."""
    return month // 3


def week_key(day: datetime.date) -> tuple[int, int]:
    """The ISO week (year, week) a date falls in."""
    iso = day.isocalendar()
    return (iso[0], iso[1])


def period_bounds(unit: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The week, month, quarter or year that contains `day`: (first day, last day)."""
    if unit == "week":
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if unit == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if unit == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        last = first + 2
        return datetime.date(day.year, first, 1), datetime.date(day.year, last, calendar.monthrange(day.year, last)[1])
    return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)


PERIOD_LABEL = re.compile(r"^(\d{4})(?:-(Q[1-4]|W\d{2}|\d{2}))?$")


def parse_period(label: str) -> tuple[datetime.date, datetime.date] | None:
    """`2022` (a year), `2022-Q1` (a quarter), `2022-03` (a month), `2022-W05` (an ISO week) → its first and last
    day, or None for anything else (declared periods are looked up by name before this)."""
    match = PERIOD_LABEL.match(label)
    if not match:
        return None
    year, part = int(match.group(1)), match.group(2)
    try:
        if part is None:
            return period_bounds("year", datetime.date(year, 1, 1))
        if part.startswith("Q"):
            return period_bounds("quarter", datetime.date(year, (int(part[1]) - 1) * 3 + 1, 1))
        if part.startswith("W"):
            return period_bounds("week", datetime.date.fromisocalendar(year, int(part[1:]), 1))
        return period_bounds("month", datetime.date(year, int(part), 1))
    except ValueError:
        return None


def period_label(unit: str, start: datetime.date) -> str:
    """How a period is named: 2022, 2022-Q1, 2022-03, 2022-W05."""
    if unit == "year":
        return f"{start.year:04d}"
    if unit == "quarter":
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    if unit == "week":
        iso = start.isocalendar()
        return f"{iso[0]:04d}-W{iso[1]:02d}"
    return f"{start.year:04d}-{start.month:02d}"


# ---- exclusions ----------------------------------------------------------------------------------


class ExclusionReason(enum.Enum):
    """Why a valid event is not scored. The value is the category as people read it."""

    BEFORE_WINDOW = "before the window"
    AFTER_WINDOW = "after the window"
    AFTER_AS_OF = "after the as-of date"
    BEFORE_PERIOD = "before the period scored"  # inside the window, but before the quarter (week, …) being scored
    AFTER_PERIOD = "after the period scored"
    RESENT = "re-sent"
    REQUIRED_GAP = "too soon after the event it must follow"  # `require A at least N days after B`: no B early enough


def window_exclusion(day: datetime.date, window: n.Window) -> ExclusionReason | None:
    if day < window.start:
        return ExclusionReason.BEFORE_WINDOW
    if day > window.end:
        return ExclusionReason.AFTER_WINDOW
    return None


# ---- slots ---------------------------------------------------------------------------------------


class SlotValue(enum.Enum):
    """What a slot's records carry in their `value` field."""

    NONE = "none"  # counting only
    FIELD = "field"  # the field's value
    RATE = "rate"  # (field value, rate) for rows of a rate table; other values are not recorded
    PAIR = "pair"  # (distinct value, tested value) for `distinct F of K whose latest G …`


@attrs.frozen
class SlotKey:
    """One record list per unit: the events of `source`, carrying `value`. Made only by `slot_for`."""

    source: n.Source
    value: SlotValue = SlotValue.NONE
    field: str | None = None
    tested: str | None = None  # PAIR: the field whose latest value is tested
    rates: tuple[tuple[str, Decimal], ...] = ()  # RATE: (field value, points) pairs
    entity: str | None = None  # for an item scored per sub-entity: records carry (entity field's value, value)


def per_entity(key: SlotKey, field: str) -> SlotKey:
    """The slot an item scored per sub-entity (`scored per FIELD …`) reads instead of `key`: only events
    carrying FIELD, each record's value wrapped as (FIELD's value, the value `key` records)."""
    return attrs.evolve(key, entity=field)


def slot_for(node: object) -> SlotKey:
    """The slot whose records an aggregate, countable, condition or rate table reads."""
    match node:
        case n.KeyedEvents(key=None):
            return SlotKey(node.source)
        case n.KeyedEvents():
            return SlotKey(node.source, SlotValue.FIELD, node.key)
        case n.Events() | n.Count() | n.MonthsWithout() | n.Reached() | n.NoEvent() | n.Shortfall():
            return SlotKey(node.source)
        case n.PerEachBy():
            return SlotKey(node.source, SlotValue.RATE, node.field, rates=tuple((r.value, r.points.value) for r in node.rates))
        case n.Sum() | n.Latest() | n.Distinct() | n.Average() | n.Minimum() | n.Maximum() | n.FirstPer() | n.SharedPer():
            return SlotKey(node.source, SlotValue.FIELD, node.field)
        case n.DistinctValues(whose=None):  # the same records as `distinct FIELD of KIND`: one list serves both
            return SlotKey(node.source, SlotValue.FIELD, node.field)
        case n.DistinctValues(whose=n.Whose() as whose):
            return SlotKey(node.source, SlotValue.PAIR, node.field, whose.field)
        case n.RankKey(what="countback", source=n.Source() as source):  # countback counts the records of each value
            return SlotKey(source, SlotValue.FIELD, node.field)
        case n.ScoredPer():  # the events that define the sub-entities, by the field's value
            return SlotKey(node.source, SlotValue.FIELD, node.field)
        case _:
            raise NoCase("the slot plan (plan.slot_for)", node)


READS_SLOT = (
    n.Events,
    n.Count,
    n.MonthsWithout,
    n.Reached,
    n.NoEvent,
    n.PerEachBy,
    n.Sum,
    n.Latest,
    n.Distinct,
    n.DistinctValues,
    n.Shortfall,
    n.Average,
    n.Minimum,
    n.Maximum,
    n.FirstPer,
    n.SharedPer,
    n.KeyedEvents,
)
# Countables that compare a unit's events with every other unit's (worked out at finish, from all the records).
ACROSS_UNITS = (n.FirstPer, n.SharedPer)


def plan_slots(rubric: n.Rubric) -> dict[SlotKey, int]:
    """Every slot the rules and unit conditions read, numbered in order of first use. An item scored per
    sub-entity reads its rules' slots with the entity's value on each record (`per_entity`)."""
    slots: dict[SlotKey, int] = {}

    def need(node: object, entity: str | None = None) -> None:
        for child in n.walk(node):
            if isinstance(child, READS_SLOT):
                key = slot_for(child)
                slots.setdefault(per_entity(key, entity) if entity else key, len(slots))

    for item in rubric.all_items():
        entity = item.scored_per.field if item.scored_per is not None else None
        for rule in item.rules:
            need(rule.amount, entity)
            need((rule.cap, rule.period_caps), entity)  # `at most VALUE`: a value may read events too
        need((item.cap, item.floor))  # the item's bounds apply to the unit's (combined) score
        need(tuple(joint.cap for joint in item.joint_caps), entity)
        if item.only_when is not None:  # a `scored per` item's condition is tried on each sub-entity's events
            need(item.only_when, entity)
        if item.scored_per is not None:
            slots.setdefault(slot_for(item.scored_per), len(slots))
            for let in rubric.lets:  # a named value or condition cited inside it counts the sub-entity's events
                need(let.body, entity)
    for statement in rubric.grades + rubric.statuses + rubric.vetoes:
        if statement.condition is not None:
            need(statement.condition)
    if rubric.rank is not None:
        for key in rubric.rank.keys:
            if key.what == "countback":
                slots.setdefault(slot_for(key), len(slots))
    if rubric.total_is is not None:  # `total is VALUE` may read events too
        need(rubric.total_is.value)
    for let in rubric.lets:  # named values and conditions read events too
        need(let.body)
    for requirement in rubric.requirements:  # `require A at least N days after B`: both sides' events, with their key
        for side in (requirement.later, requirement.earlier):
            slots.setdefault(slot_for(side), len(slots))
    return slots


# ---- compact tallies: counts per (unit, date, quantity, values) instead of a record per event ------
#
# A compact tally keeps, per event kind, one entry per distinct *signature* of an event: its unit, date,
# quantity and the value it gives each slot of its kind (`...`: the slot's filter does not take it).
# Each entry counts its events and keeps the first and last sequence number among them. At finish each
# entry becomes one record per slot: (last seq, no id, date, month, quantity × count, value). Readers
# below give the same result from those records as from one record per event: they read only sums of
# quantities, values, dates and the order of the latest event (the last seq of a group is the true last
# event of that group). Readers that name events (`no KIND`, `latest F = word`, a veto's evidence) or
# pair events with each other (time relations, first/shared per F, distinct … whose, sub-entities)
# need the events themselves: a rubric with any of them is always tallied with records.
COMPACT_READERS = (
    n.Events,
    n.Count,
    n.MonthsWithout,
    n.Reached,
    n.PerEachBy,
    n.Sum,
    n.Latest,
    n.Distinct,
    n.Shortfall,
    n.Average,
    n.Minimum,
    n.Maximum,
)


def filter_fields(node: object) -> set[str]:
    """The event fields a filter reads."""
    match node:
        case None | n.UnitIs():
            return set()
        case n.Compare() | n.In():
            return {node.field}
        case n.And() | n.Or():
            return set().union(*(filter_fields(part) for part in node.parts))
        case n.Not():
            return filter_fields(node.part)
        case _:
            raise NoCase("the filter's fields (plan.filter_fields)", node)


def slot_fields(key: SlotKey) -> set[str]:
    """The event fields a slot reads: the value it records and those its source's filter tests."""
    return {name for name in (key.field, key.tested) if name is not None} | filter_fields(key.source.where)


def compact_plan(rubric: n.Rubric) -> bool:
    """Whether every slot of `rubric` is read only by readers a compact tally serves exactly (see above)."""
    if any("id" in slot_fields(key) for key in plan_slots(rubric)):  # an id makes every event's signature its own
        return False
    if any(item.scored_per is not None for item in rubric.all_items()):
        return False
    if rubric.requirements:  # `require A … after B` leaves out single events: it needs each event's record
        return False
    roots: list[object] = []
    for item in rubric.all_items():
        roots += [rule.amount for rule in item.rules]
        if item.only_when is not None:
            roots.append(item.only_when)
    roots += [s.condition for s in rubric.grades + rubric.statuses if s.condition is not None]
    roots += [let.body for let in rubric.lets]
    for root in roots:
        for node in n.walk(root):
            if isinstance(node, READS_SLOT) and not isinstance(node, COMPACT_READERS):
                return False
            if isinstance(node, n.ValueCompare) and isinstance(node.left, n.Latest) and isinstance(node.right, n.NameRef):
                return False  # `latest F = word` names the latest event when it fails
    for veto in rubric.vetoes:  # a veto that holds cites the events that made it hold
        if veto.condition is not None and any(isinstance(x, (*READS_SLOT, n.NameRef)) for x in n.walk(veto.condition)):
            return False
    return True


# kind → (slot index, the slot's value → the record's value, `...` for none; None: the value itself) per slot of the kind
SlotLayout = dict[str, list[tuple[int, Callable[[Any], Any] | None]]]


def slot_layout(rubric: n.Rubric, slots: dict[SlotKey, int]) -> SlotLayout:
    """How a compact tally's signatures become records: for each kind, its slots in the order the
    generated slot-value function returns their values (codegen.slot_values_source), each with the
    conversion of that value into the record's value (a decimal is kept as its text, a rate table's row is
    looked up, a value outside the table makes no record, as in a handler that keeps records)."""
    types = {kind.name: {f.name: f.type.name for f in kind.fields} for kind in rubric.kinds}
    layout: SlotLayout = {kind.name: [] for kind in rubric.kinds}
    for key, index in slots.items():
        decimal = types.get(key.source.kind, {}).get(key.field or "") == "decimal"
        layout.setdefault(key.source.kind, []).append((index, _converter(key, decimal)))
    return layout


def _converter(key: SlotKey, decimal: bool) -> Callable[[Any], Any] | None:
    def number(value: Any) -> Any:
        return Decimal(value) if decimal and value is not None else value

    if key.value is SlotValue.NONE or (key.value is SlotValue.FIELD and not decimal):
        return None  # the signature holds the record's value (None for a counting slot)
    if key.value is SlotValue.RATE:
        rates = dict(key.rates)
        if all(isinstance(value, str) for value, _ in key.rates):
            pairs = {value: (value, points) for value, points in key.rates}
            return lambda value: pairs.get(value, ...)

        def rated(value: Any) -> Any:
            value = number(value)
            rate = rates.get(value)
            return ... if rate is None else (value, rate)

        return rated
    return number
