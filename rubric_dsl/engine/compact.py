"""The compact tally: what a stream's events leave behind when no event-level provenance is asked for.

A tally of records (`runtime.Tally`) keeps a record per event and slot and an index entry per id. A
compact tally keeps, per valid event, four numbers in typed arrays (no Python object per event): its
sequence number; a code for its *signature* (its listed unit, quantity and the fields its rubric reads,
see codegen.content_fields) and its day; its id's hash and length, with the ids' text joined in blocks.
Fields outside the signature leave a 128-bit fingerprint, for the kinds that have such fields.

Ids are not checked per event. When the tally is first read (`settle`), later copies of an id are found
all at once by sorting the hashes (numpy) and comparing the texts, and each is judged against the first
copy exactly as a tally of records judges it as it goes: a re-send (the same content) is left out and
listed, another content is rejected. So tallies of parts of a stream merge by joining their arrays, in
stream order, and the id check of the whole runs once, however the stream was cut.

Finishing makes one record per slot for each signature and day that has events, with their summed
quantity and the last event's position (plan.compact_plan says which rubrics this scores exactly).
"""

from __future__ import annotations

import datetime
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import attrs

from ..i18n import _
from ..sources.events import EventProblem, Place, Placer
from .plan import DATE, ExclusionReason, SlotLayout, month_key, window_exclusion
from .results import Excluded
from .runtime import Invalid, Tally, event_date, handler_namespace, unit_warnings

# Python's hash of a text is keyed per process (PYTHONHASHSEED): a tally remembers the key it hashed
# with by this probe, and its hashes are made again from the texts when it meets another process's.
SALT = hash("rubric_dsl: the hash key of this process")
ID_BLOCK = 1 << 16  # ids joined into one text per this many events
DAY_BITS = 32  # a signature code is (signature number << DAY_BITS) | day number
DAY_MASK = (1 << DAY_BITS) - 1
# Groups of signature and day are counted in arrays with a slot per (signature, day) while there are at
# most DENSE_GROUPS pairs, or DENSE_PER_EVENT per event (their memory is then no more than a sort's);
# past that, the codes are sorted.
DENSE_GROUPS = 1 << 16
DENSE_PER_EVENT = 2


@attrs.frozen
class KindShape:
    """What a compact tally needs to know of an event kind to compare two events' contents."""

    decimals: tuple[int, ...]  # positions in a signature holding a decimal's text (1.0 and 1 are one value)
    loose: bool  # the kind has fields outside the signature: its events log a fingerprint


@attrs.frozen
class Settled:
    """A compact tally's events with every later copy of an id judged (see CompactTally.settle)."""

    dropped: frozenset[int]  # log indexes of later copies: not counted
    resent: list[Excluded]
    problems: list[EventProblem]
    unlisted: dict[str, tuple[Any, ...]]
    units: list[str]
    warnings: list[str]


class CompactTally:
    """Per-event numbers of one scored stream (or part of it), mergeable like `runtime.Tally`."""

    compact = True

    def __init__(self, slot_count: int, path: str, placer: Placer, shapes: dict[str, KindShape], reject_unlisted: bool):
        self.slot_count = slot_count
        self.path = path
        self.placer = placer
        self.shapes = shapes
        self.reject_unlisted = reject_unlisted
        self.signatures: list[tuple[str, tuple[Any, ...]]] = []  # number → (kind, content)
        self.days: list[datetime.date] = []  # number → date
        self.seq_log = array("q")
        self.code_log = array("q")  # (signature number << DAY_BITS) | day number
        self.id_hashes = array("q")
        self.id_lengths = array("I")
        self.id_blocks: list[str] = []  # the ids' texts, joined ID_BLOCK at a time
        self.pending_ids: list[str] = []  # ids logged since the last flush
        self.salt = SALT
        self.loose_seq = array("q")  # sequence numbers of the events that logged a fingerprint
        self.loose_log = array("Q")  # their fingerprints, two 64-bit words each
        # an event's place is given back from its sequence number: (first seq, seq - place, Placer) per
        # part tallied; the few places that are not plain numbers (sheet rows, stdin lines) by number
        self.segments: list[tuple[int, int, Placer]] = []
        self.places: dict[int, Place] = {}
        self.first: int | None = None
        self.end = 0
        self.read = 0
        self.units: dict[str, Any] = {}  # every unit named by a logged event (the listed ones from the start)
        self.listed: tuple[Any, ...] = ()
        self.raw_unlisted: dict[str, tuple[Any, ...]] = {}  # as the events came, before settling (see `unlisted`)
        self.hints: dict[str, tuple[Any, ...] | None] = {}
        self.matched: dict[str, tuple[Any, ...]] = {}
        self.matched_seq: dict[str, int] = {}
        self.raw_problems: list[EventProblem] = []
        self.unit_rejections: list[tuple[int, str]] = []  # (seq, id) of events rejected for their unit
        self.raw_warnings: list[str] = []  # what the shared unit helper writes; `warnings` are made again when settled
        self._settled: tuple[tuple[int, ...], Settled] | None = None
        self._groups: tuple[tuple[int, ...], tuple[list[int], list[int], list[int], list[int]]] | None = None
        self._group_arrays: tuple[Any, Any, Any] = ((), (), ())  # the groups' codes, counts and firsts as numpy arrays

    # -- what scorecards and commands read, as a tally of records has it: settled (copies, so nothing reaches back)
    @property
    def warnings(self) -> list[str]:
        return list(self.settle().warnings)

    @property
    def problems(self) -> list[EventProblem]:
        return list(self.settle().problems)

    @property
    def resent(self) -> list[Excluded]:
        return list(self.settle().resent)

    @property
    def unlisted(self) -> dict[str, tuple[Any, ...]]:
        """Each unit the rubric does not list → (seq, Place) of its first counted event."""
        return dict(self.settle().unlisted)

    @property
    def valid_count(self) -> int:
        """Valid events counted once each (later copies of an id left out)."""
        return len(self.seq_log) - len(self.settle().dropped)

    def flush_ids(self) -> None:
        """Move the ids logged since the last flush into the typed arrays (hash, length) and one text."""
        pending = self.pending_ids
        if not pending:
            return
        self.id_hashes.extend(map(hash, pending))
        self.id_lengths.extend(map(len, pending))
        self.id_blocks.append("".join(pending))
        pending.clear()

    def __getstate__(self) -> dict[str, Any]:
        self.flush_ids()
        state = dict(self.__dict__)
        state["_settled"] = state["_groups"] = None
        state["_group_arrays"] = ((), (), ())
        return state

    def _key(self) -> tuple[int, ...]:
        return (len(self.seq_log), len(self.raw_problems), len(self.pending_ids), len(self.id_hashes))

    # -- ids
    def id_texts(self) -> Iterator[str]:
        """Every logged id, in log order."""
        self.flush_ids()
        lengths = iter(self.id_lengths)
        for block in self.id_blocks:
            at = 0
            while at < len(block):
                size = next(lengths)
                yield block[at : at + size]
                at += size
            # (an empty id is never logged: every block is consumed by its own lengths)

    def rehashed(self) -> None:
        """Hash the ids again with this process's key (the tally was made in another process)."""
        if self.salt != SALT:
            self.id_hashes = array("q", map(hash, self.id_texts()))
            self.salt = SALT
            self._settled = self._groups = None

    def _text_reader(self) -> Callable[[int], str]:
        """log index → its id, by the cumulative lengths (made once per settle)."""
        import numpy as np

        ends = np.cumsum(np.frombuffer(self.id_lengths, dtype=np.uint32), dtype=np.int64)
        block_ends, total = [], 0
        for block in self.id_blocks:
            total += len(block)
            block_ends.append(total)
        block_starts = [0, *block_ends[:-1]]

        def text(index: int) -> str:
            end = int(ends[index])
            start = end - self.id_lengths[index]
            block = bisect_right(block_ends, start)
            offset = block_starts[block]
            return self.id_blocks[block][start - offset : end - offset]

        return text

    # -- places, contents
    def place_of(self, seq: int) -> Place:
        if seq in self.places:
            return self.places[seq]
        _first, offset, placer = self.segments[max(0, bisect_right([s[0] for s in self.segments], seq) - 1)]
        return placer(seq - offset)

    def fingerprint_of(self, seq: int) -> bytes:
        """The fingerprint of the fields outside the signature of the event numbered `seq` (b'' if its kind has none)."""
        index = bisect_left(self.loose_seq, seq)
        if index < len(self.loose_seq) and self.loose_seq[index] == seq:
            return self.loose_log[2 * index : 2 * index + 2].tobytes()
        return b""

    def content_of(self, index: int) -> tuple[str, tuple[Any, ...], datetime.date]:
        code = self.code_log[index]
        kind, content = self.signatures[code >> DAY_BITS]
        return kind, content, self.days[code & DAY_MASK]

    def same_content(self, first: int, later: int) -> bool:
        """Whether the events logged at `first` and `later` have the same normalised content (a re-send):
        the same signature and day (decimals compared as numbers: 1.0 and 1 are one value), and the same
        fingerprint of the fields outside the signature."""
        kind, content, date = self.content_of(first)
        if self.code_log[first] != self.code_log[later]:
            other_kind, other, other_date = self.content_of(later)
            if (kind, date, len(content)) != (other_kind, other_date, len(other)):
                return False
            decimals = self.shapes[kind].decimals
            for position, (mine, theirs) in enumerate(zip(content, other, strict=True)):
                if position in decimals and mine is not None and theirs is not None:
                    if Decimal(mine) != Decimal(theirs):
                        return False
                elif mine != theirs or type(mine) is not type(theirs):
                    return False
        return not self.shapes[kind].loose or self.fingerprint_of(self.seq_log[first]) == self.fingerprint_of(self.seq_log[later])

    # -- settling: every later copy of an id judged
    def settle(self) -> Settled:
        key = self._key()
        if self._settled is not None and self._settled[0] == key:
            return self._settled[1]
        self.flush_ids()
        self.rehashed()
        settled = self._settle()
        self._settled = (self._key(), settled)
        return settled

    def _copies(self) -> dict[str, list[int]]:
        """Each id logged more than once → the log indexes of its copies, in stream order."""
        import numpy as np

        hashes = np.frombuffer(self.id_hashes, dtype=np.int64)
        if len(hashes) < 2:
            return {}
        ordered = np.sort(hashes)  # (a sort of the values alone: a third faster than of their indexes)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if not len(repeated):
            return {}
        text = self._text_reader()
        members = np.flatnonzero(np.isin(hashes, repeated)).tolist()  # (few: later copies, and ids hashed alike)
        copies: dict[str, list[int]] = {}
        for index in members:  # (in log order, which is stream order)
            copies.setdefault(text(index), []).append(index)
        return {event_id: indexes for event_id, indexes in copies.items() if len(indexes) > 1}

    def _settle(self) -> Settled:
        copies = self._copies()
        dropped: set[int] = set()
        resent: list[Excluded] = []
        conflicts: list[EventProblem] = []
        for event_id, indexes in copies.items():
            first = indexes[0]
            first_place = self.place_of(self.seq_log[first])
            for later in indexes[1:]:
                dropped.add(later)
                seq = self.seq_log[later]
                kind, content, date = self.content_of(later)
                if self.same_content(first, later):
                    detail = _("first at {first_place}", first_place=first_place)
                    place = str(self.place_of(seq))
                    resent.append(Excluded(event_id, content[0], kind, date, place, ExclusionReason.RESENT, detail, seq=seq))
                else:
                    message = _(
                        "id `{event_id}` was already used at {first_place} with different content",
                        event_id=event_id,
                        first_place=first_place,
                    )
                    conflicts.append(EventProblem(self.place_of(seq), message, "id", None, seq=seq))
        problems = self._judge_unit_rejections(self.raw_problems)
        if conflicts:
            problems = sorted(problems + conflicts, key=lambda p: p.seq)
        unlisted, units = self._units_named(dropped)
        warnings = unit_warnings(unlisted, self.hints)
        return Settled(frozenset(dropped), sorted(resent, key=lambda e: e.seq), problems, unlisted, units, warnings)

    def _judge_unit_rejections(self, problems: list[EventProblem]) -> list[EventProblem]:
        """An event rejected for its unit whose id a valid event used before it: a tally of records judged
        it by its id first (a later copy never reaches the unit's check), so it is that copy's conflict."""
        if not self.unit_rejections:
            return list(problems)
        firsts: dict[str, int] = {}
        wanted = {event_id for _seq, event_id in self.unit_rejections}
        for index, event_id in enumerate(self.id_texts()):
            if event_id in wanted and event_id not in firsts:
                firsts[event_id] = index
        seqs = [p.seq for p in problems]
        out = list(problems)
        for seq, event_id in self.unit_rejections:
            found = firsts.get(event_id)
            if found is None or self.seq_log[found] > seq:
                continue
            index = found
            at = bisect_left(seqs, seq)
            if at >= len(out) or out[at].seq != seq:
                continue
            rejected = out[at]
            message = _(
                "id `{event_id}` was already used at {first_place} with different content",
                event_id=event_id,
                first_place=self.place_of(self.seq_log[index]),
            )
            more = (attrs.evolve(rejected, more=()),) if self.reject_unlisted else ()
            out[at] = EventProblem(rejected.place, message, "id", rejected.event, seq=seq, more=more)
        return out

    def _units_named(self, dropped: set[int]) -> tuple[dict[str, tuple[Any, ...]], list[str]]:
        """The unlisted units and every unit, as a tally of records has them: a unit only later copies of
        ids named does not exist, and one whose first event was a later copy is first seen at its next."""
        unlisted = dict(self.raw_unlisted)
        units = list(self.units)
        if not dropped or not unlisted:
            return unlisted, units
        dropped_seqs = {self.seq_log[index] for index in dropped}
        moved = [unit for unit, (seq, _place) in self.raw_unlisted.items() if seq in dropped_seqs]
        if not moved:
            return unlisted, units
        import numpy as np

        # each such unit's first counted event, in one pass over the log for all of them (a pass per unit
        # took 1.6 s for 200 conflicting copies naming units of their own among 200,000 events, and grows with both)
        numbers = {unit: number for number, unit in enumerate(moved)}
        of_signature = np.array([numbers.get(content[0], -1) for _kind, content in self.signatures], dtype=np.int64)
        owners = of_signature[np.frombuffer(self.code_log, dtype=np.int64) >> DAY_BITS]
        owners[sorted(dropped)] = -1
        counted = np.flatnonzero(owners >= 0)  # (log order: stream order)
        found, firsts = np.unique(owners[counted], return_index=True)
        later = dict(zip(found.tolist(), counted[firsts].tolist(), strict=True))
        for number, unit in enumerate(moved):
            if number in later:
                seq = self.seq_log[later[number]]
                unlisted[unit] = (seq, self.place_of(seq))
            else:
                del unlisted[unit]
        gone = set(moved) - set(unlisted)
        return unlisted, [unit for unit in units if unit not in gone] if gone else units

    # -- merging
    def _order(self) -> int:
        return self.first if self.first is not None else self.end

    def merge(self, other: Any, consume: bool = False) -> CompactTally:
        """The tally of both parts' events together (parts in either order, and merged in any order: their events must
        not overlap, but a part may hold events between another's, see _in_stream_order)."""
        if not isinstance(other, CompactTally):
            raise ValueError("a compact tally merges only with a compact tally")
        if other._order() < self._order():
            return other.merge(self, consume)
        import numpy as np

        for part in (self, other):
            part.flush_ids()
            part.rehashed()
        # (taken before anything changes: with `consume` the earlier part becomes the merged tally)
        earlier_sizes = (len(self.seq_log), len(self.raw_problems), len(self.unit_rejections))
        merged = self if consume else self._copy()
        # the later part's signatures and days numbered in the merged tables
        numbers = {sig: number for number, sig in enumerate(merged.signatures)}
        sig_map = [numbers.setdefault(sig, len(numbers)) for sig in other.signatures]
        merged.signatures = list(numbers)
        day_numbers = {day: number for number, day in enumerate(merged.days)}
        day_map = [day_numbers.setdefault(day, len(day_numbers)) for day in other.days]
        merged.days = list(day_numbers)
        codes = other.code_log
        if sig_map != list(range(len(sig_map))) or day_map != list(range(len(day_map))):
            theirs = np.frombuffer(codes, dtype=np.int64) if len(codes) else np.zeros(0, dtype=np.int64)
            renumbered = (np.asarray(sig_map, dtype=np.int64)[theirs >> DAY_BITS] << DAY_BITS) | np.asarray(day_map, dtype=np.int64)[
                theirs & DAY_MASK
            ]
            codes = array("q", renumbered.tobytes())
        merged.code_log += codes
        merged.seq_log += other.seq_log
        merged.id_hashes += other.id_hashes
        merged.id_lengths += other.id_lengths
        merged.id_blocks += other.id_blocks
        merged.loose_seq += other.loose_seq
        merged.loose_log += other.loose_log
        merged.segments = sorted(merged.segments + other.segments, key=lambda s: s[0])
        merged.places = {**merged.places, **other.places}
        if merged.placer != other.placer:  # places from two sources: each part's come from its own segments
            merged.placer = Placer(self.path)
        merged.read = self.read + other.read
        merged.first = min((t.first for t in (self, other) if t.first is not None), default=None)
        merged.end = max(self.end, other.end)
        merged.listed = self.listed or other.listed
        merged.units = {**merged.units, **{unit: None for unit in other.units if unit not in merged.units}}
        # a unit's (or a spelling's) first event is the earlier of the parts' (the later part's need not be
        # later: a part merged earlier may hold events after this one's, see _in_stream_order)
        merged.raw_unlisted = {**other.raw_unlisted, **self.raw_unlisted}
        for unit, first in other.raw_unlisted.items():
            if first[0] < merged.raw_unlisted[unit][0]:
                merged.raw_unlisted[unit] = first
        merged.hints = {**other.hints, **self.hints}
        merged.matched = {**other.matched, **self.matched}
        merged.matched_seq = {**other.matched_seq, **self.matched_seq}
        for name, seq in other.matched_seq.items():
            if seq < merged.matched_seq[name]:
                merged.matched_seq[name], merged.matched[name] = seq, other.matched[name]
        merged.raw_problems = self.raw_problems + other.raw_problems
        merged.unit_rejections = self.unit_rejections + other.unit_rejections
        merged._in_stream_order(*earlier_sizes)
        merged._settled = merged._groups = None
        return merged

    def _in_stream_order(self, logged: int, problems: int, rejections: int) -> None:
        """Put the logs back in stream order after a merge whose later part (from `logged`, `problems`,
        `rejections` on) holds events before the earlier part's last: parts merged out of their neighbours'
        order (the first and third part, then the second). Settling takes the first logged copy of an id
        as its first copy and finds fingerprints by sequence number, both in stream order."""
        seqs = self.seq_log
        if 0 < logged < len(seqs) and seqs[logged] < seqs[logged - 1]:
            import numpy as np

            order = np.argsort(np.frombuffer(seqs, dtype=np.int64), kind="stable").tolist()
            texts = list(self.id_texts())
            for name in ("seq_log", "code_log", "id_hashes", "id_lengths"):
                log = getattr(self, name)
                setattr(self, name, array(log.typecode, [log[i] for i in order]))
            texts = [texts[i] for i in order]
            self.id_blocks = ["".join(texts[at : at + ID_BLOCK]) for at in range(0, len(texts), ID_BLOCK)]
            pairs = sorted(range(len(self.loose_seq)), key=self.loose_seq.__getitem__)
            self.loose_log = array("Q", [word for i in pairs for word in self.loose_log[2 * i : 2 * i + 2]])
            self.loose_seq = array("q", [self.loose_seq[i] for i in pairs])
        if 0 < problems < len(self.raw_problems) and self.raw_problems[problems].seq < self.raw_problems[problems - 1].seq:
            self.raw_problems.sort(key=lambda problem: problem.seq)
        if 0 < rejections < len(self.unit_rejections) and self.unit_rejections[rejections][0] < self.unit_rejections[rejections - 1][0]:
            self.unit_rejections.sort()

    def _copy(self) -> CompactTally:
        copy = CompactTally(self.slot_count, self.path, self.placer, self.shapes, self.reject_unlisted)
        for name, value in self.__dict__.items():
            if isinstance(value, array):
                value = array(value.typecode, value)
            elif isinstance(value, (list, dict)):
                value = type(value)(value)
            setattr(copy, name, value)
        return copy

    # -- finishing
    def groups(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """(code, count, first seq, last seq) of each signature and day that has counted events, in order
        of their first events: one stable sort of the codes (numpy)."""
        settled = self.settle()
        key = self._key()
        if self._groups is not None and self._groups[0] == key:
            return self._groups[1]
        import numpy as np

        codes = np.frombuffer(self.code_log, dtype=np.int64) if len(self.code_log) else np.zeros(0, dtype=np.int64)
        seqs = np.frombuffer(self.seq_log, dtype=np.int64) if len(self.seq_log) else np.zeros(0, dtype=np.int64)
        if settled.dropped:
            keep = np.ones(len(codes), dtype=bool)
            keep[sorted(settled.dropped)] = False
            codes, seqs = codes[keep], seqs[keep]
        if not len(codes):
            self._groups = (key, ([], [], [], []))
            self._group_arrays = (codes, codes, codes)
            return self._groups[1]
        days = len(self.days)
        size = len(self.signatures) * days
        if size <= max(DENSE_PER_EVENT * len(codes), DENSE_GROUPS) and size < 1 << 31:
            # few signatures and days: each (signature, day) has a slot of its own, so counts, firsts and
            # lasts come without a sort (bincount, then minimum.at and maximum.at over the groups that have
            # events, numbered in 32 bits: at most about as much memory as a sort's)
            dense = ((codes >> DAY_BITS) * days + (codes & DAY_MASK)).astype(np.int32)
            counts = np.bincount(dense, minlength=size)
            present = np.flatnonzero(counts)
            counts = counts[present]
            group_of = np.zeros(size, dtype=np.int32)
            group_of[present] = np.arange(len(present), dtype=np.int32)
            groups = group_of[dense]
            del dense, group_of
            firsts = np.full(len(present), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(firsts, groups, seqs)
            lasts = np.full(len(present), np.iinfo(np.int64).min, dtype=np.int64)
            np.maximum.at(lasts, groups, seqs)
            keys = ((present // days) << DAY_BITS) | (present % days)
        else:  # one sort of the codes
            order = np.argsort(codes)
            ordered = codes[order]
            starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
            ends = np.concatenate((starts[1:], [len(ordered)])).astype(np.int64)
            in_order = seqs[order]  # (a group's events in any order: its first and last are its least and greatest)
            keys, counts = ordered[starts], ends - starts
            firsts = np.minimum.reduceat(in_order, starts)
            lasts = np.maximum.reduceat(in_order, starts)
        by_first = np.argsort(firsts, kind="stable")
        keys, counts, firsts = keys[by_first], counts[by_first], firsts[by_first]
        result = (keys.tolist(), counts.tolist(), firsts.tolist(), lasts[by_first].tolist())
        self._groups = (key, result)
        self._group_arrays = (keys, counts, firsts)
        return result

    def slot_records(
        self,
        layout: SlotLayout,
        window: Any,
        slot_values: dict[str, Callable[[tuple[Any, ...], datetime.date | None], tuple[Any, ...]]],
        dated: frozenset[str] = frozenset(),
    ) -> dict[str, list[list[tuple[Any, ...]]]]:
        """Each unit's records per slot: one per signature, day and slot, in order of first events. What
        each slot takes from a signature is worked out once per signature (`slot_values`, converted as
        `layout` says), or once per signature and day for the kinds in `dated` (a slot's filter reads the date)."""
        units: dict[str, list[list[tuple[Any, ...]]]] = {unit: [[] for _slot in range(self.slot_count)] for unit in self.settle().units}
        months = [month_key(day) if window_exclusion(day, window) is None else -1 for day in self.days]
        signatures, days = self.signatures, self.days
        taken: dict[int, list[tuple[int, Any]]] = {}  # signature number → (slot index, record value) for each slot it feeds

        def take(kind: str, content: tuple[Any, ...], date: datetime.date | None) -> list[tuple[int, Any]]:
            values = slot_values[kind](content, date)
            out = []
            for (index, convert), value in zip(layout[kind], values, strict=True):
                if value is not ... and convert is not None:
                    value = convert(value)
                if value is not ...:
                    out.append((index, value))
            return out

        for code, count, _first, last in zip(*self.groups(), strict=True):
            day_number = code & DAY_MASK
            month = months[day_number]
            if month < 0:
                continue
            number = code >> DAY_BITS
            kind, content = signatures[number]
            date = days[day_number]
            if kind in dated:
                pairs = take(kind, content, date)
            else:
                pairs = taken.get(number)  # type: ignore[assignment]
                if pairs is None:
                    pairs = taken[number] = take(kind, content, None)
            if not pairs:
                continue
            slots = units[content[0]]
            quantity = content[1] * count
            for index, value in pairs:
                slots[index].append((last, None, date, month, quantity, value))
        return units

    def cut_at(self, as_of: datetime.date, units: dict[str, list[list[tuple[Any, ...]]]]) -> dict[str, list[list[tuple[Any, ...]]]]:
        """Each unit's slot records dated on or before `as_of`."""
        return {unit: [[r for r in records if r[DATE] <= as_of] for records in slots] for unit, slots in units.items()}

    def _counted(
        self, reason_of: Callable[[datetime.date], ExclusionReason | None], window: Any, outside_window: bool = False
    ) -> list[Excluded]:
        """The events `reason_of(date)` excludes, counted per unit, kind and reason, in order of each one's
        first event (`outside_window`: only dates outside the window are judged, else only those inside).
        Judged once per day, then added up over the groups with numpy."""
        import numpy as np

        self.groups()
        keys, counts, firsts = self._group_arrays
        reasons: list[ExclusionReason] = []
        day_reason = np.zeros(len(self.days) or 1, dtype=np.int64)  # day number → 1 + its reason's index, 0: not excluded
        for number, date in enumerate(self.days):
            reason = reason_of(date) if (window_exclusion(date, window) is not None) == outside_window else None
            if reason is not None:
                if reason not in reasons:
                    reasons.append(reason)
                day_reason[number] = reasons.index(reason) + 1
        if not reasons or not len(keys):
            return []
        group_reason = day_reason[keys & DAY_MASK]
        chosen = np.flatnonzero(group_reason)
        if not len(chosen):
            return []
        pairs: dict[tuple[str, str], int] = {}  # (unit, kind) → its number
        pair_of_signature = np.array(
            [pairs.setdefault((content[0], kind), len(pairs)) for kind, content in self.signatures], dtype=np.int64
        )
        combined = pair_of_signature[keys[chosen] >> DAY_BITS] * (len(reasons) + 1) + group_reason[chosen]
        found, first_at, inverse = np.unique(combined, return_index=True, return_inverse=True)
        totals = np.zeros(len(found), dtype=np.int64)
        np.add.at(totals, inverse, counts[chosen])
        starts = firsts[chosen][first_at]  # (groups come in order of first events: a sum's first is its first group's)
        names = list(pairs)
        out = []
        for value, count, first in sorted(zip(found.tolist(), totals.tolist(), starts.tolist(), strict=True), key=lambda row: row[2]):
            unit, kind = names[value // (len(reasons) + 1)]
            out.append(Excluded(None, unit, kind, None, "", reasons[value % (len(reasons) + 1) - 1], seq=first, count=count))
        return out

    def window_excluded(self, window: Any) -> list[Excluded]:
        return self._counted(lambda date: window_exclusion(date, window), window, outside_window=True)

    def outside(self, start: datetime.date, end: datetime.date, as_of: datetime.date | None, window: Any = None) -> list[Excluded]:
        def reason_of(date: datetime.date) -> ExclusionReason | None:
            if as_of is not None and date > as_of:
                return None
            return ExclusionReason.BEFORE_PERIOD if date < start else ExclusionReason.AFTER_PERIOD if date > end else None

        return self._counted(reason_of, window)

    def after(self, as_of: datetime.date, window: Any = None) -> list[Excluded]:
        return self._counted(lambda date: ExclusionReason.AFTER_AS_OF if date > as_of else None, window)


# Either kind of tally (they share tally/merge/finish; a merge takes two of the same kind).
AnyTally = Tally | CompactTally


def compact_namespace(
    tally: CompactTally, constants: dict[str, object], window: Any, listed: list[str], matcher: Any, reject_unlisted: bool
) -> dict[str, Any]:
    """The globals the fused loop of compact tallies runs with: the unit helpers both tallies share, and this tally's logs."""
    namespace = handler_namespace(tally, constants, window, listed, matcher, reject_unlisted)  # type: ignore[arg-type]
    new_unit = namespace["new_unit"]
    dates: dict[object, tuple[Any, ...]] = {}
    day_numbers: dict[datetime.date, int] = {}

    def add_date(value: object) -> tuple[Any, ...]:
        day = event_date(value)
        number = day_numbers.get(day)
        if number is None:
            number = day_numbers[day] = len(tally.days)
            tally.days.append(day)
        info = (day, month_key(day), window_exclusion(day, window), number)  # DayInfo's layout, and DAY_NUMBER
        if isinstance(value, str):
            dates[value] = info
        return info

    names, known_as, units = namespace["NAMES"], namespace["known_as"], tally.units
    known: dict[str, str] = {}

    def known_unit(unit: str, place: Any, seq: int, event_id: str) -> str:
        """The listed name of a spelling met for the first time (or of one whose unit was rejected)."""
        name = names.get(unit)
        if name is None:
            name = known_as(unit, place, seq)
        if name not in units:
            try:
                new_unit(name, place, seq)
            except Invalid:
                tally.unit_rejections.append((seq, event_id))
                raise
        known[unit] = name
        return name

    def new_signature(table: dict[tuple[Any, ...], int], kind: str, sig: tuple[Any, ...]) -> int:
        code = table[sig] = len(tally.signatures) << DAY_BITS
        tally.signatures.append((kind, sig))
        return code

    namespace.update(
        DATES=dates,
        add_date=add_date,
        KNOWN=known,
        known_unit=known_unit,
        new_signature=new_signature,
        log_code=tally.code_log.append,
        log_seq=tally.seq_log.append,
        log_id=tally.pending_ids.append,
        log_loose_seq=tally.loose_seq.append,
        log_loose=tally.loose_log.frombytes,
        PLACES=tally.places,
    )
    return namespace
