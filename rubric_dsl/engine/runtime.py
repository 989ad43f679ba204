"""The runtime of generated handlers: value coercions and rejections (`Invalid`), the per-run helpers, and the mergeable `Tally`.

Generated code (see `codegen`) runs in the namespace `handler_namespace` builds; everything it
calls by name is defined here.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import itertools
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from hashlib import blake2b
from typing import Any, NamedTuple, NoReturn

from ..i18n import N_, _, tr
from ..language import nodes as n
from ..numbers import EXACT
from ..sources.events import EventProblem, Place, Placer, RawPlace
from ..suggestions import closest
from .plan import DATE, DAY_DATE, DAY_EXCLUDED, SEQ, ExclusionReason, SlotLayout, month_key, window_exclusion
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
    file). A tally pickles, so parts can be tallied and merged in any process.
    """

    def __init__(self, slot_count: int, path: str = "<events>", placer: Placer | None = None, compact: bool = False):
        self.slot_count = slot_count
        # compact (see plan.compact_plan): no records and no excluded events, but every distinct event
        # signature (kind, signature) and, per event in stream order, its sequence number and signature
        # number: counts, first and last events come from these logs (so a merge can take an event out)
        self.compact = compact
        self.signatures: list[tuple[str, tuple[Any, ...]]] = []
        # per signature number: its first event's seq (set when the signature is new); how many events and
        # the last one's seq come from the logs when asked for (signature_stats): a handler only appends to the logs
        self.sig_firsts: list[int] = []
        self._stats: tuple[tuple[int, int], tuple[list[int], list[int], list[int]]] | None = None
        self.seq_log = array("q")
        self.sig_log = array("i")  # numbered within the part tallied: add the base of its part (sig_bases)
        self.sig_bases: list[tuple[int, int]] = [(0, 0)]  # (log index where a part begins, its first signature's number)
        self.fp_log = array("Q")  # compact: each logged event's 128-bit fingerprint, as two 64-bit words
        # compact: the id index holds one int per id (packed_id); an event's place is given back from its
        # sequence number: (first seq, seq - place, Placer) per part tallied, and the few places that are
        # not plain numbers (Place objects from sheets and tables) by sequence number
        self.segments: list[tuple[int, int, Placer]] = []
        self.places: dict[int, Place] = {}
        self.path = path
        self.placer = placer or Placer(path)  # an event's place (an int, usually) → its Place
        self.first: int | None = None  # the sequence number of the first event tallied
        self.end = 0  # the sequence number after the last event tallied
        self.units: dict[str, list[list[tuple[Any, ...]]]] = {}
        self.listed: tuple[Any, ...] = ()
        self.ids: dict[str, Any] = {}  # event id → IdEntry layout (compact: the first copy's sequence number)
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

    def __getstate__(self) -> dict[str, Any]:
        """A compact tally's id index travels as its ids alone: its n-th id's first copy is the n-th event
        logged, so the sequence numbers are the log's (a third of the time to pickle and unpickle)."""
        state = dict(self.__dict__)
        state["_stats"] = None  # (made again from the logs)
        if self.compact and len(self.ids) == len(self.seq_log):
            state["ids"] = list(self.ids)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if isinstance(state["ids"], list):
            state["ids"] = dict(zip(state["ids"], state["seq_log"], strict=True))
        self.__dict__.update(state)

    def first_copy(self, event_id: str) -> tuple[bytes, RawPlace]:
        """The fingerprint and place of the first copy of an id this tally holds."""
        entry = self.ids[event_id]
        if not self.compact:
            return entry[0], entry[1]
        return self.fingerprint_of(entry), self.place_of(entry)

    def fingerprint_of(self, seq: int) -> bytes:
        """Compact: the fingerprint of the valid event numbered `seq` (found in the log)."""
        index = self.log_index(seq)
        return self.fp_log[2 * index : 2 * index + 2].tobytes()

    def log_index(self, seq: int) -> int:
        index = bisect_right(self.seq_log, seq) - 1
        assert index >= 0 and self.seq_log[index] == seq, "every valid event of a compact tally is in its log"
        return index

    def first_unit_and_date(self, event_id: str) -> tuple[str, datetime.date]:
        """The unit and date of the first copy of an id this tally tallied (the fingerprint leaves them out)."""
        entry = self.ids[event_id]
        if not self.compact:
            return entry[4], entry[5][DAY_DATE]
        _kind, sig = self.signature_of(entry)
        return sig[0], sig[1]

    def place_of(self, seq: int) -> Place:
        """Compact: the Place of the event numbered `seq`, given back from the segment it was tallied in."""
        if seq in self.places:
            return self.places[seq]
        _first, offset, placer = self.segments[max(0, bisect_right([s[0] for s in self.segments], seq) - 1)]
        return placer(seq - offset)

    def signature_of(self, seq: int) -> tuple[str, tuple[Any, ...]]:
        """Compact: the kind and signature of the valid event numbered `seq` (found in the log)."""
        return self.signatures[self.log_number(self.log_index(seq))]

    def log_number(self, index: int) -> int:
        """Compact: the signature number of the event logged at `index`."""
        part = bisect_right([start for start, _base in self.sig_bases], index) - 1
        return self.sig_log[index] + self.sig_bases[part][1]

    def first_copy_repeat(self, event_id: str, entry: int) -> tuple[Any, ...]:
        """Compact: this tally's first copy of `event_id` (its id index entry) as a Repeat, to be judged
        again against an earlier part's first copy."""
        seq = entry
        kind, sig = self.signature_of(seq)
        day = (sig[1], month_key(sig[1]), None)  # DayInfo layout (a judge reads only the date)
        return Repeat(seq, event_id, self.fingerprint_of(seq), self.place_of(seq), sig[0], kind, day, None)

    def events_of(self, unit: str, drop: set[int]) -> list[tuple[int, RawPlace]]:
        """(seq, place) of each valid event of `unit` not in `drop` (for the first event of an unlisted unit)."""
        if not self.compact:
            return [(e[2], e[1]) for e in self.ids.values() if e[4] == unit and e[2] not in drop]
        units = {number for number, (_kind, sig) in enumerate(self.signatures) if sig[0] == unit}
        return [(seq, self.place_of(seq)) for i, seq in enumerate(self.seq_log) if seq not in drop and self.log_number(i) in units]

    def _order(self) -> int:
        return self.first if self.first is not None else self.end

    def merge(self, other: Tally, consume: bool = False) -> Tally:
        """The tally of both parts' events together (parts in either order; their ranges must not overlap)."""
        if other._order() < self._order():
            return other.merge(self, consume)
        if self.compact != other.compact:
            raise ValueError("a compact tally merges only with a compact tally")
        merged = Tally(self.slot_count, self.path, self.placer, self.compact)
        merged.read = self.read + other.read
        merged.first = min((t.first for t in (self, other) if t.first is not None), default=None)
        merged.end = max(self.end, other.end)
        merged.listed = self.listed or other.listed
        mine, theirs, my_repeats, their_repeats = self.ids, other.ids, self.repeats, other.repeats
        if self.compact:
            merged.segments = sorted(self.segments + other.segments, key=lambda s: s[0])
            merged.places = {**self.places, **other.places}
        if self.placer != other.placer:  # places from two sources: each becomes a Place while its source is known
            if not self.compact:  # (a compact tally's places come from its segments, each with its own Placer)
                mine, theirs = placed(mine, self.placer), placed(theirs, other.placer)
            my_repeats, their_repeats = placed_repeats(my_repeats, self.placer), placed_repeats(their_repeats, other.placer)
            merged.placer = Placer(self.path)  # Places pass through it unchanged
        # `consume`: neither part is used again, so the merged tally takes over the earlier part's index and logs
        merged.ids = ids = mine if consume and mine is self.ids else dict(mine)
        # An id first seen in both parts: the later part's copy is a later copy after all, and the later
        # part's own later copies of that id were judged against the wrong first copy. Judge them again.
        # (C-level: the ids of both parts, then theirs added and mine put back where both have one)
        collided: dict[str, Any] = {event_id: theirs[event_id] for event_id in theirs.keys() & mine.keys()}
        firsts = {event_id: mine[event_id] for event_id in collided}  # (before `ids`, which may be `mine`, changes)
        ids.update(theirs)
        ids.update(firsts)
        if self.compact:
            again: list[tuple[Any, ...]] = [other.first_copy_repeat(event_id, entry) for event_id, entry in collided.items()]
            drop = {r[0] for r in again}
        else:
            drop = {entry[2] for entry in collided.values()}  # IdEntry.seq: their records and exclusions go
            again = [Repeat(e[2], event_id, e[0], e[1], e[4], e[3], e[5], None) for event_id, e in collided.items()]
        if self.compact:  # (before judging again: a first copy's fingerprint is read from the merged log)
            merge_signatures(merged, self, other, drop, consume)
        again += [r for r in their_repeats if r[1] in collided]
        judged = {r[0] for r in again}
        merged.repeats = (
            my_repeats + sorted([r for r in their_repeats if r[1] not in collided] + again, key=lambda r: r[0])
            if again
            else my_repeats + their_repeats
        )
        resent = [e for e in other.resent if e.seq not in judged]
        problems = [p for p in other.problems if p.seq not in judged]
        for repeat in map(Repeat._make, again):
            first = (*merged.first_copy(repeat.event_id), *self.first_unit_and_date(repeat.event_id))  # (the first copy is mine)
            outcome = judge(repeat, first, merged.placer)
            if isinstance(outcome, Excluded):
                resent.append(outcome)
            else:
                problems.append(outcome)
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

    def slot_records(self, layout: SlotLayout, window: n.Window) -> dict[str, list[list[tuple[Any, ...]]]]:
        """Each unit's records per slot. A compact tally makes one record per signature and slot (see
        plan.compact_plan), in order of the signatures' first events."""
        if not self.compact:
            return self.units
        units: dict[str, list[list[tuple[Any, ...]]]] = {unit: [[] for _slot in range(self.slot_count)] for unit in self.units}
        months: dict[datetime.date, int] = {}  # date → its month key, or -1 outside the window
        places = {kind: list(enumerate(slots, 3)) for kind, slots in layout.items()}  # (position in a signature, slot)
        counts, firsts, lasts = self.signature_stats()
        signatures = self.signatures
        for number in sorted(range(len(signatures)), key=firsts.__getitem__):
            count = counts[number]
            if not count:
                continue
            kind, sig = signatures[number]
            date = sig[1]
            month = months.get(date)
            if month is None:
                month = months[date] = month_key(date) if window_exclusion(date, window) is None else -1
            if month < 0:
                continue
            slots = units[sig[0]]
            quantity = sig[2] * count
            last = lasts[number]
            for position, (index, convert) in places[kind]:
                value = sig[position]
                if value is ...:
                    continue
                if convert is not None:
                    value = convert(value)
                    if value is ...:
                        continue
                slots[index].append((last, None, date, month, quantity, value))
        return units

    def window_excluded(self, window: n.Window) -> list[Excluded]:
        """Valid events outside the window: one per event, or, compact, one per unit, kind and reason with its count."""
        if not self.compact:
            return self.excluded
        return self._counted(lambda date: window_exclusion(date, window), window, outside_window=True)

    def signature_stats(self) -> tuple[list[int], list[int], list[int]]:
        """Compact: per signature number, its count of events and the first and last one's sequence number
        (0 for a signature whose events a merge took out); counts and lasts are counted from the logs, part
        by part (each part's log numbers its signatures from its base, see sig_bases), and kept until the
        logs grow."""
        key = (len(self.seq_log), len(self.signatures))
        if self._stats is not None and self._stats[0] == key:
            return self._stats[1]
        size = len(self.signatures)
        counts, lasts = [0] * size, [0] * size
        bases = self.sig_bases
        ends = [start for start, _base in bases[1:]] + [len(self.seq_log)]
        next_bases = [base for _start, base in bases[1:]] + [size]
        # The id index's sequence numbers are the log's, in its order (each logged event is an id's first
        # copy; see __getstate__): read from there, each last is the int object the index holds already,
        # not a new one per signature (which would add about 16 bytes per event to the peak memory).
        # (A plain loop into lists: Counter and dict took longer and raised the peak memory too.)
        shared = len(self.ids) == len(self.seq_log)
        seqs: Iterator[int] = iter(self.ids.values() if shared else self.seq_log)
        sig_view = memoryview(self.sig_log)  # (not copied)
        for (start, base), end, next_base in zip(bases, ends, next_bases, strict=True):
            part_counts, part_lasts = (counts, lasts) if len(bases) == 1 else ([0] * (next_base - base), [0] * (next_base - base))
            for number, seq in zip(sig_view[start:end], itertools.islice(seqs, end - start), strict=True):
                part_counts[number] += 1
                part_lasts[number] = seq
            if len(bases) > 1:
                counts[base:next_base], lasts[base:next_base] = part_counts, part_lasts
        self._stats = (key, (counts, self.sig_firsts, lasts))
        return self._stats[1]

    def _counted(
        self, reason_of: Callable[[datetime.date], ExclusionReason | None], window: n.Window, outside_window: bool = False
    ) -> list[Excluded]:
        """Compact: the signatures' events `reason_of(date)` excludes (None: not excluded), counted per
        unit, kind and reason, in order of each one's first event."""
        found: dict[tuple[Any, ...], list[Any]] = {}
        reasons: dict[datetime.date, ExclusionReason | None] = {}
        counts, firsts, _lasts = self.signature_stats()
        for number, (kind, sig) in enumerate(self.signatures):
            count = counts[number]
            if not count:
                continue
            first = firsts[number]
            date = sig[1]
            if date in reasons:
                reason = reasons[date]
            else:
                outside = window_exclusion(date, window) is not None
                reason = reasons[date] = reason_of(date) if outside == outside_window else None
            if reason is None:
                continue
            entry = found.get((sig[0], kind, reason))
            if entry is None:
                found[(sig[0], kind, reason)] = [first, count]
            else:
                entry[0] = min(entry[0], first)
                entry[1] += count
        return [
            Excluded(None, unit, kind, None, "", reason, seq=first, count=count)
            for (unit, kind, reason), (first, count) in sorted(found.items(), key=lambda item: item[1][0])
        ]

    def outside(
        self, start: datetime.date, end: datetime.date, as_of: datetime.date | None, window: n.Window | None = None
    ) -> list[Excluded]:
        """Valid in-window events before or after the period being scored (those after the as-of date are `after`'s)."""
        if self.compact:
            assert window is not None, "a compact tally judges dates against the window"

            def reason_of(date: datetime.date) -> ExclusionReason | None:
                if as_of is not None and date > as_of:
                    return None
                return ExclusionReason.BEFORE_PERIOD if date < start else ExclusionReason.AFTER_PERIOD if date > end else None

            return self._counted(reason_of, window)
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
        if self.compact:
            assert window is not None, "a compact tally judges dates against the window"
            return self._counted(lambda date: ExclusionReason.AFTER_AS_OF if date > as_of else None, window)
        return [
            Excluded(event_id, unit, kind, day[DAY_DATE], str(self.placer(place)), ExclusionReason.AFTER_AS_OF, seq=seq)
            for event_id, (_fingerprint, place, seq, kind, unit, day) in self.ids.items()
            if day[DAY_EXCLUDED] is None and day[DAY_DATE] > as_of
        ]


def seq_of(entry: Excluded | EventProblem) -> int:
    return entry.seq


def merge_signatures(merged: Tally, earlier: Tally, later: Tally, drop: set[int], consume: bool = False) -> None:
    """The compact part of `earlier.merge(later)`: both parts' signatures side by side (a signature of
    both parts is two groups of events, which the readers of compact slots add up like any other two),
    both logs joined, without the later part's events in `drop` (copies of ids the earlier part holds).
    Nothing is renumbered: the later part's log keeps its numbers, with its base (`sig_bases`) moved."""
    seq_log, sig_log, fp_log, bases, firsts = later.seq_log, later.sig_log, later.fp_log, later.sig_bases, later.sig_firsts
    if drop:  # rare: ids sent again across the cut; the later part's log without them (counts come from the log)
        kept = [i for i, seq in enumerate(seq_log) if seq not in drop]
        seq_log = array("q", (seq_log[i] for i in kept))
        sig_log = array("i", (later.log_number(i) for i in kept))
        fp_log = array("Q", (word for i in kept for word in fp_log[2 * i : 2 * i + 2]))
        bases = [(0, 0)]
        firsts = [0] * len(later.signatures)  # (a signature's first event may be gone)
        for number, seq in dict(zip(reversed(sig_log), reversed(seq_log), strict=True)).items():
            firsts[number] = seq
    offset, logged = len(earlier.signatures), len(earlier.seq_log)
    for name, theirs in (
        ("signatures", later.signatures),
        ("sig_firsts", firsts),
        ("seq_log", seq_log),
        ("fp_log", fp_log),
        ("sig_log", sig_log),
        ("sig_bases", [(logged + start, offset + base) for start, base in bases]),
    ):
        mine = getattr(earlier, name)
        if consume:  # extended in place: the earlier part is not used again
            mine += theirs
            setattr(merged, name, mine)
        else:
            setattr(merged, name, mine + theirs)


def signature_table(tally: Tally, kind: str) -> dict[tuple[Any, ...], int]:
    """The signatures of one kind a compact tally has counted (signature → number), for its handler to go on counting."""
    return {sig: number for number, (sig_kind, sig) in enumerate(tally.signatures) if sig_kind == kind}


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

    seen_again_compact = seen_again  # (the first copy is looked up by id, whatever the index holds)

    def new_unit(unit: str, place: RawPlace, seq: int) -> list[list[tuple[Any, ...]]]:
        if not reject_unlisted and len(tally.unlisted) >= MAX_UNLISTED_UNITS:
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
            raise unlisted_unit(unit, near)
        resolved = placer(place)
        tally.unlisted[unit] = (seq, resolved)
        tally.hints[unit] = near
        if near:
            tally.warnings.append(
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

    def new_signature(table: dict[tuple[Any, ...], int], kind: str, sig: tuple[Any, ...], seq: int) -> int:
        number = table[sig] = len(tally.signatures)
        tally.signatures.append((kind, sig))
        tally.sig_firsts.append(seq)
        return number

    def exclude(seq: int, place: RawPlace, day: tuple[Any, ...], unit: str, kind: str, event_id: str) -> None:
        tally.excluded.append(Excluded(event_id, unit, kind, day[DAY_DATE], str(placer(place)), day[DAY_EXCLUDED], seq=seq))

    namespace = dict(constants)
    namespace.update(
        Decimal=Decimal,
        DATES=dates,
        QUANTITY_CODES={},  # quantity → its value code (runtime.value_code)
        remember=remember,
        IDS=tally.ids,
        UNITS=units,
        NAMES=names,
        known_as=known_as,
        add_date=add_date,
        seen_again=seen_again,
        new_unit=new_unit,
        exclude=exclude,
        new_signature=new_signature,
        seen_again_compact=seen_again_compact,
        # the compact logs' methods, bound once (a handler calls each once per event)
        log_fingerprint=tally.fp_log.frombytes,
        log_seq=tally.seq_log.append,
        log_signature=tally.sig_log.append,
        PLACES=tally.places,
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
