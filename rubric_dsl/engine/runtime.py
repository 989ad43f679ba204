"""The runtime of generated handlers: value coercions and rejections (`Invalid`), the per-run helpers, and the mergeable `Tally`.

Generated code (see `codegen`) runs in the namespace `handler_namespace` builds; everything it
calls by name is defined here.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from hashlib import blake2b
from typing import Any, NamedTuple, NoReturn

from ..i18n import N_, _, tr
from ..language import nodes as n
from ..numbers import EXACT
from ..sources.events import EventProblem, Place, Placer, RawPlace
from ..suggestions import closest
from .plan import DATE, DAY_DATE, DAY_EXCLUDED, SEQ, ExclusionReason, month_key, window_exclusion
from .results import Excluded
from .units import UnitMatcher


class Invalid(Exception):
    """Raised inside a handler for an event that breaks the rubric's declarations."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ---- helpers the generated code calls on its rare paths ------------------------------------------


def unknown_fields(ev: dict[str, Any], allowed: frozenset[str], kind: str) -> NoReturn:
    raise unknown_field(sorted(set(ev) - allowed, key=str)[0], allowed, kind)


def unknown_field(extra: object, allowed: frozenset[str], kind: str) -> Invalid:
    """The problem of one field the kind does not declare (an event can have several: each is reported)."""
    near = closest(extra, allowed)
    hint = _(" (did you mean `{near}`?)", near=near) if near else ""
    fields = ", ".join(sorted(allowed - {"id", "unit", "date", "kind", "quantity"})) or "none"
    return Invalid(
        _("unknown field `{extra}` for kind `{kind}`{hint}; its fields are: {fields}", extra=extra, kind=kind, hint=hint, fields=fields),
        str(extra),
    )


def content_digest(content: str) -> bytes:
    """The reference interpreter's re-send fingerprint: a digest of an event's canonical content (kind,
    unit, date, quantity, and each field's normalised value). Stable across processes (unlike hash(), which is salted per
    process) and collision-resistant (unlike hash(), which maps 1 and 2**61 to one value)."""
    return blake2b(content.encode(), digest_size=16).digest()


CODE_CACHE_LIMIT = 1 << 16  # values remembered per field: free text can make every value new


def code_of(value: object, how: str) -> bytes:
    """The value code of one value: the 128-bit BLAKE2b digest of its canonical text (`how`: `repr` for
    text, the unit and declared choices, which quotes them, so no text can pass for another value or for
    an absent one; `plain` for whole numbers, dates, booleans and the kind; `decimal` for a normalised
    decimal, 1.0 and 1 being one value). An absent value's text is `None`. The same in every process."""
    if how == "repr":
        text = repr(value)
    elif how == "decimal" and value is not None:
        number = value.normalize(EXACT)  # type: ignore[attr-defined]
        text = str(number if number else abs(number))  # -0 is 0, as it is to == (and so to every cache of codes)
    else:
        text = f"{value}"
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def value_code(cache: dict[object, bytes], value: object, how: str) -> bytes:
    """`code_of(value, how)`, remembered in `cache` (one per field, so two fields' equal values never share
    an entry; emptied when it reaches CODE_CACHE_LIMIT, free text making every value new)."""
    code = code_of(value, how)
    if len(cache) >= CODE_CACHE_LIMIT:
        cache.clear()
    cache[value] = code
    return code


def remember(cache: dict[object, bytes], key: object, fingerprint: bytes) -> bytes:
    """A fingerprint kept for the content `key` (emptying a full cache first, as value_code does)."""
    if len(cache) >= CODE_CACHE_LIMIT:
        cache.clear()
    cache[key] = fingerprint
    return fingerprint


# Each unlisted unit costs a scorecard (a record list per slot, its place, its results): a stream that
# names more than this many units outside the rubric's tables is almost surely a wrong column, and
# would otherwise take memory without end.
MAX_UNLISTED_UNITS = 10_000


# ---- numbers in events ------------------------------------------------------------------------------
#
# A number in an event has at most MAX_INTEGER_DIGITS digits before the point and MAX_FRACTION_DIGITS
# after it; a quantity is at most MAX_QUANTITY. With the rubric's numbers held to 15 digits, every
# product and sum the engine forms then fits the 100 digits of EXACT (numbers.py) with room to spare, so
# points are exact and never silently rounded. Text is a number only when written with ASCII digits
# (no `١٢٣`, `²` or `1_000`, which Python's int() and Decimal() would take).
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 10
MAX_QUANTITY = 10**9
NUMBER_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS
INTEGER_LIMIT = 10**MAX_INTEGER_DIGITS
FRACTION_QUANTUM = Decimal(1).scaleb(-MAX_FRACTION_DIGITS)
NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?", re.ASCII)
WHOLE_TEXT = re.compile(r"[+-]?\d+", re.ASCII)
FLOAT_HINT = N_('a float is not exact: pass the number as text ("0.1") or as a decimal.Decimal')


def _not_finite(name: str, value: float) -> str | None:
    """NaN and Infinity (JSON files' NaN, Infinity) are no number at all: say so, without the library's
    float advice (a finite float only comes from a program calling the library)."""
    if value == value and value not in (float("inf"), float("-inf")):
        return None
    return _("`{name}` must be a number, not {value}", name=name, value="NaN" if value != value else str(value).replace("inf", "Infinity"))


def _number_from_text(text: str) -> Decimal | None:
    """The Decimal an ASCII numeral means, or None (Decimal() itself takes `١٢٣`, `1_000` and `Infinity`)."""
    text = text.strip()
    if len(text) > 64 or not NUMBER_TEXT.fullmatch(text):
        return None
    return Decimal(text)


def exact_number(value: Decimal) -> Decimal | None:
    """`value` when it is finite and within the event limits, else None."""
    try:
        if value.is_finite() and -NUMBER_LIMIT < value < NUMBER_LIMIT and value == value.quantize(FRACTION_QUANTUM):
            return value
    except InvalidOperation:
        pass
    return None


def _limits() -> str:
    return _(
        "at most {MAX_INTEGER_DIGITS} digits before the point and {MAX_FRACTION_DIGITS} after it",
        MAX_INTEGER_DIGITS=MAX_INTEGER_DIGITS,
        MAX_FRACTION_DIGITS=MAX_FRACTION_DIGITS,
    )


def bad_id(value: object) -> str:
    if value is None:
        raise Invalid(_("missing `id`: every event needs an id unique in its stream"), "id")
    if isinstance(value, int) and not isinstance(value, bool) and -INTEGER_LIMIT < value < INTEGER_LIMIT:
        return str(value)
    raise Invalid(_("`id` must be text, not {value}", value=_show(value)), "id")


def bad_unit(value: object) -> NoReturn:
    if value is None:
        raise Invalid(_("missing `unit`: every event names the unit it belongs to"), "unit")
    raise Invalid(_("`unit` must be a unit's name, not {value}", value=_show(value)), "unit")


def to_quantity(value: object) -> int:
    if isinstance(value, str) and WHOLE_TEXT.fullmatch(value.strip()) and len(value) <= 32:
        value = int(value)
    elif isinstance(value, Decimal) and value.is_finite() and abs(value) <= MAX_QUANTITY and value == value.to_integral_value():
        value = int(value)
    if value.__class__ is int and 1 <= value <= MAX_QUANTITY:
        return value
    if isinstance(value, float):
        raise Invalid(
            _not_finite("quantity", value)
            or _("`quantity` must be a whole number, not the float {value!r}; {FLOAT_HINT}", value=value, FLOAT_HINT=tr(FLOAT_HINT)),
            "quantity",
        )
    if value.__class__ is int and value > MAX_QUANTITY:
        raise Invalid(
            _("`quantity` is {value}; an event's quantity is at most {MAX_QUANTITY:,}", value=_show(value), MAX_QUANTITY=MAX_QUANTITY),
            "quantity",
        )
    raise Invalid(_("`quantity` must be a whole number of at least 1, not {value}", value=_show(value)), "quantity")


def to_enum(value: object, choices: frozenset[str], name: str) -> str:
    if value.__class__ is int:
        text = str(value)
        if text in choices:
            return text
    shown = " | ".join(sorted(choices))
    near = closest(value, choices)
    hint = _(" (did you mean `{near}`?)", near=near) if near else ""
    raise Invalid(_("`{name}` is {value}, which is not one of {shown}{hint}", name=name, value=_show(value), shown=shown, hint=hint), name)


def to_decimal(value: object, name: str) -> Decimal:
    number: Decimal | None = None
    if value.__class__ is int:
        number = Decimal(value) if -INTEGER_LIMIT < value < INTEGER_LIMIT else None
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        number = _number_from_text(text[:-1] if percent else text)
        if number is not None and percent:
            number = number.scaleb(-2)
    elif isinstance(value, float):
        raise Invalid(
            _not_finite(name, value)
            or _(
                "`{name}` must be an exact number, not the float {value!r}; {FLOAT_HINT}", name=name, value=value, FLOAT_HINT=tr(FLOAT_HINT)
            ),
            name,
        )
    if number is not None and exact_number(number) is not None:
        return number
    if number is not None or value.__class__ is int:
        raise Invalid(
            _("`{name}` is {value}, outside what an event may hold ({value2})", name=name, value=_show(value), value2=_limits()), name
        )
    raise Invalid(_("`{name}` must be a number, not {value}", name=name, value=_show(value)), name)


def to_integer(value: object, name: str) -> int:
    number: int | None = None
    if value.__class__ is int:
        number = value
    elif isinstance(value, str) and WHOLE_TEXT.fullmatch(value.strip()) and len(value) <= 32:
        number = int(value)
    elif isinstance(value, Decimal) and value.is_finite() and abs(value) < NUMBER_LIMIT and value == value.to_integral_value():
        number = int(value)
    elif isinstance(value, float):
        raise Invalid(
            _not_finite(name, value)
            or _(
                "`{name}` must be a whole number, not the float {value!r}; {FLOAT_HINT}", name=name, value=value, FLOAT_HINT=tr(FLOAT_HINT)
            ),
            name,
        )
    if number is not None and -INTEGER_LIMIT < number < INTEGER_LIMIT:
        return number
    if number is not None:
        raise Invalid(
            _(
                "`{name}` is {value}, outside what an event may hold (at most {MAX_INTEGER_DIGITS} digits)",
                name=name,
                value=_show(value),
                MAX_INTEGER_DIGITS=MAX_INTEGER_DIGITS,
            ),
            name,
        )
    raise Invalid(_("`{name}` must be a whole number, not {value}", name=name, value=_show(value)), name)


def to_boolean(value: object, name: str) -> bool:
    # CSV cells and hand-typed YAML strings: the two words, in any case
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise Invalid(_("`{name}` must be true or false, not {value}", name=name, value=_show(value)), name)


def to_text(value: object, name: str) -> str:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise Invalid(_("`{name}` must be text, not {value}", name=name, value=_show(value)), name)


def to_date(value: object, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Invalid(_("`{name}` must be a date YYYY-MM-DD, not {value}", name=name, value=_show(value)), name) from None


def event_date(value: object) -> datetime.date:
    """An event's `date` (a date, or YYYY-MM-DD text), or Invalid."""
    if value is None:
        raise Invalid(_("missing `date`"), "date")
    if isinstance(value, datetime.date):
        return value
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("`date` must be a real date YYYY-MM-DD, not {value}", value=_show(value)), "date") from None


def unlisted_unit(unit: str, near: tuple[str, str] | None) -> Invalid:
    """The problem of an event whose unit is not listed, under `unlisted units are rejected`."""
    hint = _(" (did you mean `{near}`?)", near=near[0]) if near else ""
    return Invalid(
        _("unit `{unit}` is not in the rubric's tables, and this rubric rejects unlisted units{hint}", unit=unit, hint=hint), "unit"
    )


def missing_field(name: str, condition: str | None) -> NoReturn:
    if condition:
        raise Invalid(_("missing `{name}`: it is required when {condition}", name=name, condition=condition), name)
    raise Invalid(_("missing required field `{name}`", name=name), name)


def only_when_field(name: str, condition: str) -> NoReturn:
    raise Invalid(_("`{name}` is only allowed when {condition}", name=name, condition=condition), name)


def out_of_range(value: object, name: str, low: object, high: object) -> NoReturn:
    if low is not None and high is not None:
        raise Invalid(_("`{name}` is {value}, outside {low} to {high}", name=name, value=value, low=low, high=high), name)
    if low is not None:
        raise Invalid(_("`{name}` is {value}, below the least allowed {low}", name=name, value=value, low=low), name)
    raise Invalid(_("`{name}` is {value}, above the most allowed {high}", name=name, value=value, high=high), name)


def out_of_range_when(value: object, name: str, low: object, high: object, condition: str) -> NoReturn:
    """A bound that holds only for events passing `condition` (`at least 7 when category = public_health_hazard`)."""
    if low is not None and high is not None:
        message = _(
            "`{name}` is {value}, outside {low} to {high}, the range when {condition}",
            name=name,
            value=value,
            low=low,
            high=high,
            condition=condition,
        )
    elif low is not None:
        message = _(
            "`{name}` is {value}, below the least allowed {low} when {condition}", name=name, value=value, low=low, condition=condition
        )
    else:
        message = _(
            "`{name}` is {value}, above the most allowed {high} when {condition}", name=name, value=value, high=high, condition=condition
        )
    raise Invalid(message, name)


def _show(value: object) -> str:
    """A value as a message quotes it: short, whatever it is (a 6000-digit number, a 50,000-deep list)."""
    if value is None:
        return _("missing")
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return _("a list") if not isinstance(value, dict) else _("an object")
    if isinstance(value, int) and not isinstance(value, bool) and not -INTEGER_LIMIT < value < INTEGER_LIMIT:
        text = _("a number of {value} digits", value=len(str(abs(value))) if value.bit_length() < 14000 else _("over 4000"))
        return text
    if isinstance(value, Decimal):
        text = str(value) if value.is_finite() and abs(value.adjusted()) < 40 else f"{value:.3e}" if value.is_finite() else str(value)
    elif isinstance(value, str):
        text = f'"{value}"'
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:60] + "…" + text[-10:]


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause CPython's cyclic collector: tallying and finishing make only acyclic tuples, and the
    collector would rescan every record again and again as they pile up (a third of the time at 1M events)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# ---- the tally: what a run has recorded; mergeable ----------------------------------------------


class Repeat(NamedTuple):
    """A later copy of an event id (a plain tuple in this order): kept so that a merge can judge it
    again against the true first copy when that lies in another chunk."""

    seq: int
    event_id: str
    fingerprint: bytes
    place: RawPlace
    unit: str
    kind: str
    day: tuple[Any, ...]  # DayInfo layout
    event: object  # the event itself (re-sends are few), for --rejected if it turns out to differ


class Tally:
    """Per-unit slot records, identities, exclusions and problems of one scored stream (or chunk).

    Tallies of disjoint parts of a stream merge into the tally of the whole, in every detail (counts,
    exclusions, re-sends and what they cite, problems, warnings, places), provided each part was
    tallied with the sequence numbers it has in the whole stream (`start`, or line numbers of one
    file). A tally pickles, so parts can be tallied and merged in any process. (`compact.CompactTally`
    keeps numbers per event instead of records, for outputs without event-level provenance.)
    """

    compact = False

    def __init__(self, slot_count: int, path: str = "<events>", placer: Placer | None = None):
        self.slot_count = slot_count
        self.path = path
        self.placer = placer or Placer(path)  # an event's place (an int, usually) → its Place
        self.first: int | None = None  # the sequence number of the first event tallied
        self.end = 0  # the sequence number after the last event tallied
        self.units: dict[str, list[list[tuple[Any, ...]]]] = {}
        self.listed: tuple[Any, ...] = ()
        self.ids: dict[str, Any] = {}  # event id → IdEntry layout
        self.repeats: list[tuple[Any, ...]] = []  # Repeat layout: every later copy of an id
        self.excluded: list[Excluded] = []
        self.problems: list[EventProblem] = []
        self.resent: list[Excluded] = []
        self.unlisted: dict[str, tuple[Any, ...]] = {}  # unit not in the rubric → (seq, Place) of its first event
        self.hints: dict[str, tuple[Any, ...] | None] = {}  # unit not in the rubric → the listed unit it probably means
        self.matched: dict[str, tuple[Any, ...]] = {}  # a name counted for a listed unit → (listed name, why, first place)
        self.matched_seq: dict[str, int] = {}  # … and the sequence number of that first event
        self.warnings: list[str] = []
        self.read = 0
        # (seq, id, whether its unit's problem is kept beside a conflict's) of each event rejected for its unit:
        # unlisted (when they are rejected) or one too many
        self.unit_rejections: list[tuple[int, str, bool]] = []

    # What the shared unit helpers (handler_namespace) write to: a tally of records keeps unlisted units and
    # their warnings as they come; a compact tally keeps raw ones there and settles them when read.
    @property
    def raw_unlisted(self) -> dict[str, tuple[Any, ...]]:
        return self.unlisted

    @property
    def raw_warnings(self) -> list[str]:
        return self.warnings

    @property
    def valid_count(self) -> int:
        """Valid events counted once each (later copies of an id are not in the index)."""
        return len(self.ids)

    def first_copy(self, event_id: str) -> tuple[bytes, RawPlace]:
        """The fingerprint and place of the first copy of an id this tally holds."""
        entry = self.ids[event_id]
        return entry[0], entry[1]

    def first_unit_and_date(self, event_id: str) -> tuple[str, datetime.date]:
        """The unit and date of the first copy of an id this tally tallied (the fingerprint leaves them out)."""
        entry = self.ids[event_id]
        return entry[4], entry[5][DAY_DATE]

    def events_of(self, unit: str, drop: set[int]) -> list[tuple[int, RawPlace]]:
        """(seq, place) of each valid event of `unit` not in `drop` (for the first event of an unlisted unit)."""
        return [(e[2], e[1]) for e in self.ids.values() if e[4] == unit and e[2] not in drop]

    def _order(self) -> int:
        return self.first if self.first is not None else self.end

    def merge(self, other: Any, consume: bool = False) -> Tally:
        """The tally of both parts' events together (parts in either order; their ranges must not overlap)."""
        if not isinstance(other, Tally):
            raise ValueError("a tally of records merges only with a tally of records")
        if other._order() < self._order():
            return other.merge(self, consume)
        merged = Tally(self.slot_count, self.path, self.placer)
        merged.read = self.read + other.read
        merged.first = min((t.first for t in (self, other) if t.first is not None), default=None)
        merged.end = max(self.end, other.end)
        merged.listed = self.listed or other.listed
        mine, theirs, my_repeats, their_repeats = self.ids, other.ids, self.repeats, other.repeats
        if self.placer != other.placer:  # places from two sources: each becomes a Place while its source is known
            mine, theirs = placed(mine, self.placer), placed(theirs, other.placer)
            my_repeats, their_repeats = placed_repeats(my_repeats, self.placer), placed_repeats(their_repeats, other.placer)
            merged.placer = Placer(self.path)  # Places pass through it unchanged
        # `consume`: neither part is used again, so the merged tally takes over the earlier part's index
        merged.ids = ids = mine if consume and mine is self.ids else dict(mine)
        # An id first seen in both parts: the later part's copy is a later copy after all, and the later
        # part's own later copies of that id were judged against the wrong first copy. Judge them again.
        # (C-level: the ids of both parts, then theirs added and mine put back where both have one)
        collided: dict[str, Any] = {event_id: theirs[event_id] for event_id in theirs.keys() & mine.keys()}
        firsts = {event_id: mine[event_id] for event_id in collided}  # (before `ids`, which may be `mine`, changes)
        # the later part's events rejected for their unit whose ids the earlier part used, with the place of
        # that first copy (see below; also looked up before `ids` changes)
        late = {r[0]: (*r, mine[r[1]][1]) for r in other.unit_rejections if r[1] in mine}
        ids.update(theirs)
        ids.update(firsts)
        drop = {entry[2] for entry in collided.values()}  # IdEntry.seq: their records and exclusions go
        again: list[Any] = [Repeat(e[2], event_id, e[0], e[1], e[4], e[3], e[5], None) for event_id, e in collided.items()]
        again += [r for r in their_repeats if r[1] in collided]
        judged = {r[0] for r in again}
        merged.repeats = (
            my_repeats + sorted([r for r in their_repeats if r[1] not in collided] + again, key=lambda r: r[0])
            if again
            else my_repeats + their_repeats
        )
        resent = [e for e in other.resent if e.seq not in judged]
        problems = [p for p in other.problems if p.seq not in judged]
        # An event of the later part rejected for its unit whose id the earlier part used: in one stream its
        # id is read before its unit (a later copy never reaches the unit's check), so it is that id's
        # conflict, kept as a later copy (never a re-send: no fingerprint) in case its first copy moves again
        if late:
            for index, problem in enumerate(problems):
                if problem.seq not in late:
                    continue
                _seq, event_id, kept, first = late[problem.seq]
                first_place = merged.placer(first)
                message = _(
                    "id `{event_id}` was already used at {first_place} with different content", event_id=event_id, first_place=first_place
                )
                unit_problem = (
                    (EventProblem(problem.place, problem.message, problem.field, problem.event, seq=problem.seq),) if kept else ()
                )
                problems[index] = EventProblem(problem.place, message, "id", problem.event, seq=problem.seq, more=unit_problem)
                event = problem.event if isinstance(problem.event, dict) else {}
                merged.repeats.append(
                    (problem.seq, event_id, b"", problem.place, event.get("unit"), event.get("kind"), (None,), problem.event)
                )
            merged.repeats.sort(key=lambda r: r[0])
        merged.unit_rejections = self.unit_rejections + [r for r in other.unit_rejections if r[0] not in late]
        # a copy judged again keeps its other problems (its unit's, when unlisted units are rejected): they
        # do not depend on which copy came first
        more = {p.seq: p.more for p in other.problems if p.seq in judged}
        for repeat in map(Repeat._make, again):
            first = (*merged.first_copy(repeat.event_id), *self.first_unit_and_date(repeat.event_id))  # (the first copy is mine)
            outcome = judge(repeat, first, merged.placer)
            if isinstance(outcome, Excluded):
                resent.append(outcome)
            else:
                problems.append(
                    EventProblem(outcome.place, outcome.message, "id", outcome.event, seq=outcome.seq, more=more.get(repeat.seq, ()))
                )
        merged.resent = self.resent + sorted(resent, key=seq_of)
        merged.problems = self.problems + sorted(problems, key=seq_of)
        merged.excluded = self.excluded + [e for e in other.excluded if e.seq not in drop]
        # units: every record but the dropped copies'; a unit only a dropped copy named does not exist
        merged.unlisted = dict(self.unlisted)
        for unit, (seq, place) in other.unlisted.items():
            if unit in merged.unlisted:
                continue
            if seq in drop:
                later = other.events_of(unit, drop)
                if not later:
                    continue
                seq, place = min(later, key=lambda x: x[0])
                place = merged.placer(place) if not isinstance(place, Place) else place
            merged.unlisted[unit] = (seq, place)
        for tally in (self, other):
            for unit, slots in tally.units.items():
                if unit not in merged.unlisted and unit not in merged.listed:
                    continue
                target = merged.units.setdefault(unit, [[] for _slot in range(self.slot_count)])
                for index, records in enumerate(slots):
                    if drop and tally is other:
                        target[index].extend(r for r in records if r[SEQ] not in drop)
                    else:
                        target[index].extend(records)
        merged.hints = {**other.hints, **self.hints}
        merged.warnings = unit_warnings(merged.unlisted, merged.hints)
        for tally in (other, self):  # the earlier part last, so its first place stays
            merged.matched_seq.update(tally.matched_seq)
            merged.matched.update(tally.matched)
        return merged

    def cut_at(
        self, as_of: datetime.date, units: dict[str, list[list[tuple[Any, ...]]]] | None = None
    ) -> dict[str, list[list[tuple[Any, ...]]]]:
        """Each unit's slot records (`units`, else the tally's own) dated on or before `as_of`."""
        units = self.units if units is None else units
        return {unit: [[r for r in records if r[DATE] <= as_of] for records in slots] for unit, slots in units.items()}

    def window_excluded(self, window: n.Window) -> list[Excluded]:
        """Valid events outside the window, one per event."""
        return self.excluded

    def outside(
        self, start: datetime.date, end: datetime.date, as_of: datetime.date | None, window: n.Window | None = None
    ) -> list[Excluded]:
        """Valid in-window events before or after the period being scored (those after the as-of date are `after`'s)."""
        out = []
        for event_id, (_fingerprint, place, _seq, kind, unit, day) in self.ids.items():
            date = day[DAY_DATE]
            if day[DAY_EXCLUDED] is not None or (as_of is not None and date > as_of):
                continue
            if date < start:
                out.append(Excluded(event_id, unit, kind, date, str(self.placer(place)), ExclusionReason.BEFORE_PERIOD))
            elif date > end:
                out.append(Excluded(event_id, unit, kind, date, str(self.placer(place)), ExclusionReason.AFTER_PERIOD))
        return out

    def after(self, as_of: datetime.date, window: n.Window | None = None) -> list[Excluded]:
        """Valid in-window events dated after `as_of`: kept, and reported as not yet counted."""
        return [
            Excluded(event_id, unit, kind, day[DAY_DATE], str(self.placer(place)), ExclusionReason.AFTER_AS_OF, seq=seq)
            for event_id, (_fingerprint, place, seq, kind, unit, day) in self.ids.items()
            if day[DAY_EXCLUDED] is None and day[DAY_DATE] > as_of
        ]


def seq_of(entry: Excluded | EventProblem) -> int:
    return entry.seq


def judge(repeat: Repeat, first: tuple[Any, ...], placer: Placer) -> Excluded | EventProblem:
    """A later copy of an id: a re-send of the first copy (same content; `first`: its fingerprint, place,
    unit and date, as `Tally.first_copy` and `first_unit_and_date` give them), or a problem (other content)."""
    fingerprint, place, unit, date = first
    first_place = placer(place)
    # the same content: the fingerprint covers kind, quantity and fields; unit and date are compared as they are
    if repeat.fingerprint == fingerprint and repeat.unit == unit and repeat.day[DAY_DATE] == date:
        where = str(placer(repeat.place))
        return Excluded(
            repeat.event_id,
            repeat.unit,
            repeat.kind,
            repeat.day[DAY_DATE],
            where,
            ExclusionReason.RESENT,
            _("first at {first_place}", first_place=first_place),
            seq=repeat.seq,
        )
    message = _(
        "id `{event_id}` was already used at {first_place} with different content", event_id=repeat.event_id, first_place=first_place
    )
    return EventProblem(placer(repeat.place), message, "id", repeat.event, seq=repeat.seq)


def unit_warnings(unlisted: dict[str, Any], hints: dict[str, Any]) -> list[str]:
    """The warning for each unlisted unit that probably means a listed one, at its first event, in stream order."""
    return [
        _(
            "{place}: warning: unit `{unit}` is not in the rubric's tables; did you mean `{value}`? ({value2})",
            place=place,
            unit=unit,
            value=hints[unit][0],
            value2=hints[unit][1],
        )
        for unit, (_order, place) in sorted(unlisted.items(), key=lambda item: item[1][0])
        if hints.get(unit)
    ]


def placed(ids: dict[str, Any], placer: Placer) -> dict[str, Any]:
    """An id index with every place made a Place (IdEntry's place is its second field)."""
    return {event_id: (entry[0], placer(entry[1]), *entry[2:]) for event_id, entry in ids.items()}


def placed_repeats(repeats: list[Any], placer: Placer) -> list[Any]:
    return [(*r[:3], placer(r[3]), *r[4:]) for r in repeats]


# ---- the per-run namespace of the generated handlers ---------------------------------------------


def handler_namespace(
    tally: Tally,
    constants: dict[str, object],
    window: n.Window,
    listed: list[str],
    matcher: UnitMatcher,
    reject_unlisted: bool,
) -> dict[str, Any]:
    """The globals the generated handlers run with for one tally: its indexes, the date cache and the helpers."""
    slot_count = tally.slot_count
    dates: dict[object, tuple[Any, ...]] = {}
    units = tally.units
    placer = tally.placer
    unlisted, warnings = tally.raw_unlisted, tally.raw_warnings
    tally.listed = tuple(listed)
    for name in listed:
        units[name] = [[] for _slot in range(slot_count)]

    def add_date(value: object) -> tuple[Any, ...]:
        day = event_date(value)
        info = (day, month_key(day), window_exclusion(day, window))  # DayInfo's layout
        if isinstance(value, str):
            dates[value] = info
        return info

    def seen_again(
        ev: dict[str, Any],
        place: RawPlace,
        seq: int,
        prev: tuple[Any, ...],
        event_id: str,
        fingerprint: bytes,
        unit: str,
        kind: str,
        day: tuple[Any, ...],
    ) -> None:
        repeat = Repeat(seq, event_id, fingerprint, place, unit, kind, day, ev)
        tally.repeats.append(tuple(repeat))
        outcome = judge(repeat, (*tally.first_copy(event_id), *tally.first_unit_and_date(event_id)), placer)
        if isinstance(outcome, Excluded):
            tally.resent.append(outcome)
            return None
        raise Invalid(outcome.message, "id")

    def new_unit(unit: str, place: RawPlace, seq: int, event_id: str | None = None) -> list[list[tuple[Any, ...]]]:
        """The record lists of a unit met for the first time, or Invalid. `event_id` (records): a rejected
        event's id is noted, so that a merge can judge it as a later copy of an earlier part's (Tally.merge)."""
        if not reject_unlisted and len(unlisted) >= MAX_UNLISTED_UNITS:
            if event_id is not None:
                tally.unit_rejections.append((seq, event_id, False))
            raise Invalid(
                _(
                    "unit `{unit}` would be unlisted unit number {value:,}; a stream may name at most {MAX_UNLISTED_UNITS:,} units the rubric does not list (is the unit column holding something else?)",
                    unit=unit,
                    value=MAX_UNLISTED_UNITS + 1,
                    MAX_UNLISTED_UNITS=MAX_UNLISTED_UNITS,
                ),
                "unit",
            )
        near = matcher.probable(unit)
        if reject_unlisted:
            if event_id is not None:
                tally.unit_rejections.append((seq, event_id, True))
            raise unlisted_unit(unit, near)
        resolved = placer(place)
        unlisted[unit] = (seq, resolved)
        tally.hints[unit] = near
        if near:
            warnings.append(
                _(
                    "{resolved}: warning: unit `{unit}` is not in the rubric's tables; did you mean `{near}`? ({near2})",
                    resolved=resolved,
                    unit=unit,
                    near=near[0],
                    near2=near[1],
                )
            )
        slots: list[list[tuple[Any, ...]]] = [[] for _slot in range(slot_count)]
        units[unit] = slots
        return slots

    names = {name: name for name in units}

    def known_as(unit: str, place: RawPlace, seq: int) -> str:
        # first sight of this spelling (each is looked up once per stream): a name must be text that
        # can be written anywhere; JSON's "\ud800" decodes to a lone surrogate, which cannot
        if not unit.isprintable() and any("\ud800" <= ch <= "\udfff" for ch in unit):
            raise Invalid(_("`unit` holds a lone surrogate (such as \\ud800), which is not text"), "unit")
        match = matcher.resolve(unit)
        if match is None:
            names[unit] = unit
            return unit
        if unit not in tally.matched:
            tally.matched[unit] = (*match, placer(place))
            tally.matched_seq[unit] = seq
        names[unit] = match[0]
        return match[0]

    def exclude(seq: int, place: RawPlace, day: tuple[Any, ...], unit: str, kind: str, event_id: str) -> None:
        tally.excluded.append(Excluded(event_id, unit, kind, day[DAY_DATE], str(placer(place)), day[DAY_EXCLUDED], seq=seq))

    namespace = dict(constants)
    namespace.update(
        Decimal=Decimal,
        DATES=dates,
        QUANTITY_CODES={},  # quantity → its value code (runtime.value_code)
        remember=remember,
        IDS=getattr(tally, "ids", None),
        UNITS=units,
        NAMES=names,
        known_as=known_as,
        add_date=add_date,
        seen_again=seen_again,
        new_unit=new_unit,
        exclude=exclude,
        unknown_fields=unknown_fields,
        bad_id=bad_id,
        bad_unit=bad_unit,
        to_quantity=to_quantity,
        to_enum=to_enum,
        to_decimal=to_decimal,
        exact_number=exact_number,
        EXACT=EXACT,
        blake2b=blake2b,
        value_code=value_code,
        to_integer=to_integer,
        to_text=to_text,
        to_boolean=to_boolean,
        to_date=to_date,
        missing_field=missing_field,
        only_when_field=only_when_field,
        out_of_range=out_of_range,
        out_of_range_when=out_of_range_when,
    )
    return namespace
