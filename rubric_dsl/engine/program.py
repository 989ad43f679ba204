"""A rubric compiled for scoring: plan, generated handlers and runtime tied together; `tally` events, `finish` into a Scorecard."""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal, localcontext
from typing import Any

import attrs

from ..errors import InternalError, UsageError
from ..i18n import _
from ..language import nodes as n
from ..language.checker import evaluation_order, total_needs
from ..language.render import render_source
from ..numbers import DEFAULT_ROUNDING, EXACT, ROUNDING
from ..sources.events import BadRecord, EventError, EventProblem, Place, Placer, RawPlace, in_blocks, with_places
from ..suggestions import closest
from .codegen import FUSED_LOOP, GeneratedCode, content_fields, generate
from .compact import AnyTally, CompactTally, KindShape, compact_namespace
from .declarations import every_problem, shape_message
from .evaluation import UnitEvaluation, evaluate_items, finish_unit, limited_total, place_units, scoring_stages, unit_total
from .outcomes import combine_and_settle, rank_results
from .parallel import tally_in_parallel
from .plan import (
    ACROSS_UNITS,
    DATE,
    EVENT_ID,
    SEQ,
    VALUE,
    ExclusionReason,
    SlotKey,
    as_of_for_month,
    compact_plan,
    month_key,
    months_of,
    parse_period,
    period_bounds,
    period_label,
    plan_slots,
    slot_fields,
    slot_for,
    slot_layout,
)
from .results import Excluded, Scorecard, UnitMatch, UnitResult
from .runtime import Invalid, Tally, handler_namespace, no_cyclic_gc, unlisted_unit
from .units import UnitMatcher, listed_names
from .values import is_condition


def shape_problem(ev: dict[str, Any], place: Place) -> EventProblem | None:
    """The problem of an event with a list or an object where a single value belongs, if it has one."""
    field = next((k for k, v in ev.items() if not isinstance(v, SCALARS)), None)
    if field is None:
        return None
    return EventProblem(place, shape_message(field, ev[field]), field, ev)


# What readers produce for a single value (JSON, YAML and CSV scalars, and dates from YAML or callers).
SCALARS = (str, int, float, Decimal, bool, datetime.date, type(None))


class Program:
    """A rubric compiled for scoring: `tally` events (in chunks if you like), `finish` into a Scorecard."""

    def __init__(self, rubric: n.Rubric, warnings: Iterable[Any] = ()):
        self.rubric = rubric
        self.warnings = list(warnings)
        self.slots: dict[SlotKey, int] = plan_slots(rubric)  # slot → index of the unit's record list
        expressions = [rule.amount for item in rubric.all_items() for rule in item.rules] + [let.body for let in rubric.lets]
        # slots whose records are compared across units (first report per key, credit shared per key)
        self.across_slots = sorted({self.slots[slot_for(x)] for e in expressions for x in n.walk(e) if isinstance(x, ACROSS_UNITS)})
        # Whether a compact tally (counts per event signature, not a record per event) scores this rubric
        # exactly; if so, its handlers are generated too (`code.compact`).
        self.compactable = compact_plan(rubric)
        self.slot_layout = slot_layout(rubric, self.slots) if self.compactable else {}
        self.code = generate(rubric, self.slots, compact=self.compactable)
        self.generated_source = self.code.source  # readable with print(): what each event kind runs
        self._filename = f"<rubric {rubric.path}>"
        self._compiled = compile(self.generated_source, self._filename, "exec")
        self._compact_filename = f"<rubric {rubric.path} (compact tally)>"
        self._compiled_compact = compile(self.code.compact.source, self._compact_filename, "exec") if self.code.compact else None
        # compact tallies: what each slot takes from a signature and day (called at finish), and what a
        # re-send's content is compared by (decimal positions of a signature, fields outside it)
        self.slot_values: dict[str, Callable[..., tuple[Any, ...]]] = {}
        self.kind_shapes: dict[str, KindShape] = {}
        self.dated_kinds = frozenset(key.source.kind for key in self.slots if "date" in slot_fields(key))
        if self.code.slot_values is not None:
            values_namespace: dict[str, Any] = {**self.code.constants, "Decimal": Decimal}
            values_namespace.update(UNIT_ATTRS=self.unit_attributes_of(rubric), NO_ATTRS={})
            exec(compile(self.code.slot_values.source, f"<rubric {rubric.path} (compact slot values)>", "exec"), values_namespace)
            self.slot_values = {kind: values_namespace[name] for kind, name in self.code.slot_values.handler_names.items()}
            for kind in rubric.kinds:
                content = content_fields(kind, self.slots)
                decimals = tuple(2 + i for i, f in enumerate(content) if f.type.name == "decimal")
                self.kind_shapes[kind.name] = KindShape(decimals, len(content) < len(kind.fields))
        self.units = {u.name: u for u in rubric.units}
        self.kinds = {kind.name: kind for kind in rubric.kinds}
        self.lets = {let.name: let for let in rubric.lets}  # named values and conditions
        self.named_conditions = frozenset(name for name, let in self.lets.items() if is_condition(let.body, self.lets))
        self.groups = {g.name: g for g in rubric.groups}
        self.places = rubric.precision.digits
        self.quantum = Decimal(1).scaleb(-self.places)
        self.rounding = ROUNDING.get(rubric.precision.rounding, DEFAULT_ROUNDING)
        assert rubric.window is not None, "a checked rubric has a window"
        self.window: n.Window = rubric.window
        self.matcher = UnitMatcher(list(self.units), listed_names(rubric.units, rubric.fold_scripts), rubric.fold_scripts)
        self._memo: dict[tuple[object, int], object] = {}
        self.window_clause = next((c for c, target in rubric.citations if isinstance(target, n.Window)), None)
        self.order = evaluation_order(rubric)[0]  # item ids, each after the items whose scores it reads
        self.stages = scoring_stages(rubric, self.order)
        self.total_needs = total_needs(
            rubric
        )  # the items the total is worked out from  # cut before each item scored by rank among the units
        self._words: dict[int, bool] = {}

    def unit_attributes(self) -> dict[str, dict[str, object]]:
        """Each listed unit's attributes (its group included), as filters on them read them."""
        return self.unit_attributes_of(self.rubric)

    @staticmethod
    def unit_attributes_of(rubric: n.Rubric) -> dict[str, dict[str, object]]:
        return {u.name: {**dict(u.attributes), "group": u.group} for u in rubric.units}

    def is_word(self, node: n.ValueCompare) -> bool:
        """`latest FIELD of KIND = WORD` compares the field's value with a word (see checker.word_comparison)."""
        key = id(node)
        if key not in self._words:
            left: Any = node.left  # an aggregate with a field (the checker made sure)
            kind = next((k for k in self.rubric.kinds if k.name == left.source.kind), None)
            field = next((f for f in kind.fields if f.name == left.field), None) if kind else None
            self._words[key] = (
                isinstance(node.right, n.NameRef)
                and node.right.name not in self.lets
                and field is not None
                and field.type.name in ("enum", "text", "boolean")
            )
        return self._words[key]

    def with_units(self, units: Iterable[n.UnitDecl]) -> Program:
        """The same rubric scoring another unit table (a data file, `--units`, a test case's rows):
        `units` are UnitDecls; their groups keep the rubric's labels and targets where declared."""
        groups: dict[str, list[Any]] = {}
        declared = {g.name: g for g in self.rubric.groups}
        for unit in units:
            groups.setdefault(unit.group, []).append(unit)
        group_decls = tuple(
            attrs.evolve(declared[name], units=tuple(members)) if name in declared else n.GroupDecl(name, None, None, tuple(members))
            for name, members in groups.items()
        )
        # the same kind of program (the reference interpreter stays the reference)
        return type(self)(attrs.evolve(self.rubric, groups=group_decls), self.warnings)

    # -- tallying
    def tally(self, events: Iterable[Any], start: int = 0, path: str = "<events>", compact: bool = False) -> AnyTally:
        """Validate and record events. `events`: dicts, or (event, Place) pairs from read_events.

        A tally does not depend on an as-of date: `finish` cuts it off, so one tally serves
        every monthly bulletin of a year. `compact` (when the rubric allows it, see `compactable`):
        keep counts per event signature instead of a record per event; its scorecard has the same
        scores, counts and reasons, but no event-level provenance (no contributions, and excluded
        events counted per unit, kind and reason instead of listed).
        """
        placer = getattr(events, "placer", None) or Placer(path)
        tally: AnyTally
        if compact and self.compactable:
            tally = CompactTally(len(self.slots), path, placer, self.kind_shapes, self.rubric.unlisted != "scored_apart")
            fused = self._fused_loop(tally)
            with no_cyclic_gc():
                read, last = fused(self._blocks(events, start), start, getattr(events, "lined", False), tally.raw_problems, tally.flush_ids)
            end = start if last is None else last + 1
            first_valid = tally.seq_log[0] if tally.seq_log else None
            problems = tally.raw_problems
        else:
            tally = Tally(len(self.slots), path, placer)
            read, end = self._tally_loop(tally, events, start)
            first_valid = next(iter(tally.ids.values()))[2] if tally.ids else None  # (IdEntry.seq)
            problems = tally.problems
        tally.read = read
        tally.end = end
        # the first event's sequence number: the first valid or rejected one (each kept in stream order)
        if getattr(events, "lined", False):
            tally.first = min((seq for seq in (first_valid, problems[0].seq if problems else None) if seq is not None), default=None)
        else:
            tally.first = start if read else None
        if isinstance(tally, CompactTally):  # sequence number - place: the line's offset in the stream, or 0 for an index
            lined = getattr(events, "lined", False)
            tally.segments = [(start if tally.first is None else tally.first, start if lined else 0, placer)]
        return tally

    def _tally_loop(self, tally: Tally, events: Iterable[Any], start: int) -> tuple[int, int]:
        """Every event through its kind's handler, a block at a time (a source's own blocks, or lists of
        pairs: no generator step per event); the rejected ones into the tally's problems. (events read, end seq)
        (Compact tallies run the same loop generated whole, `_fused_loop`.)"""
        lined = getattr(events, "lined", False)  # places are line numbers: an event's sequence number is start + its line
        handlers = self._handlers(tally)
        kind_problem, rejection, data_error = self._rejections(tally.placer)
        problems = tally.problems
        read = 0
        seq = None
        with no_cyclic_gc():
            for block in self._blocks(events, start):
                before = read
                for read, (ev, place) in enumerate(block, before + 1):
                    seq = (start + place if start else place) if lined else start + read - 1  # (one int object, not two, per line)
                    try:
                        handler = handlers[ev["kind"]]
                    except (KeyError, TypeError):
                        problems.append(kind_problem(ev, place, seq))
                        continue
                    try:
                        handler(ev, seq, place)
                    except Invalid as error:
                        problems.append(rejection(ev, place, seq, error))
                    except Exception as error:
                        problems.append(data_error(ev, place, seq, error))
        return read, start if seq is None else seq + 1

    def tally_sources(self, sources: Iterable[Iterable[Any]], jobs: int = 1, compact: bool = False) -> AnyTally:
        """Tally several event sources as one stream (sequence numbers continue from one to the next).
        `jobs` > 1 tallies JSON Lines files in that many processes (see `parallel`); the result is the same."""
        if jobs > 1:
            return tally_in_parallel(self, list(sources), jobs, compact)
        tally: AnyTally | None = None
        start = 0
        for source in sources:
            part = self.tally(source, start=start, compact=compact)
            start = part.end
            tally = part if tally is None else tally.merge(part, consume=True)
        if tally is not None:
            return tally
        return self.tally([], compact=compact)

    def _rejection(self, ev: dict[str, Any], place: Place, seq: int, first: Invalid) -> EventProblem:
        """The rejected event with every problem of its fields (the handler stopped at `first`)."""
        found = every_problem(self.kinds[ev["kind"]], ev, first)
        unit = ev.get("unit")
        if (
            self.rubric.unlisted != "scored_apart"
            and unit.__class__ is str
            and unit
            and unit not in self.units
            and self.matcher.resolve(unit) is None
            and not any(p.field == "unit" for p in found)
        ):  # judged after the fields (as the handler does), so it comes last
            found.append(unlisted_unit(unit, self.matcher.probable(unit)))
        more = tuple(EventProblem(place, p.message, p.field, ev, seq=seq) for p in found[1:])
        return EventProblem(place, first.message, first.field, ev, seq=seq, more=more)

    def _internal_error(self, error: Exception, place: Place) -> InternalError:
        """The failure of generated code as a bug report naming the rubric line it was generated for."""
        line = 0
        generated: GeneratedCode | None = self.code
        trace = error.__traceback__
        while trace is not None:  # the innermost frame of the generated code
            if trace.tb_frame.f_code.co_filename in (self._filename, self._compact_filename):
                line = trace.tb_lineno
                generated = self.code.compact if trace.tb_frame.f_code.co_filename == self._compact_filename else self.code
            trace = trace.tb_next
        assert generated is not None, "the compact loop runs only when generated"
        span = generated.span_of_line(line)
        where = f"{self.rubric.path}:{span.line}:{span.column}" if span.line else str(self.rubric.path)
        code = f" (generated line {line}: `{generated.source.splitlines()[line - 1].strip()}`)" if line else ""
        message = (
            f"{where}: internal error: scoring the event at {place} failed in the code generated for this rubric line{code}: "
            f"{type(error).__name__}: {error}\n"
            "This is a bug in rubric_dsl, not in the rubric or the events. Please report it with the rubric and this event."
        )
        return InternalError(message, str(self.rubric.path), span.line, span.column)

    def _kind_problem(self, ev: object, place: Place) -> EventProblem:
        if isinstance(ev, BadRecord):
            return EventProblem(place, ev.message, None, None, ev.column)
        if not isinstance(ev, dict):
            return EventProblem(place, _("expected an object, found {found}", found=type(ev).__name__), None, None)
        kind = ev.get("kind")
        if kind is None:
            return EventProblem(place, _("missing `kind`"), "kind", ev)
        kinds = [k.name for k in self.rubric.kinds]
        near = closest(kind, kinds)
        if near:
            return EventProblem(place, _("unknown event kind `{kind}` (did you mean `{near}`?)", kind=kind, near=near), "kind", ev)
        return EventProblem(place, _("unknown event kind `{kind}`; the kinds are: {kinds}", kind=kind, kinds=", ".join(kinds)), "kind", ev)

    @staticmethod
    def _blocks(events: Iterable[Any], start: int) -> Iterable[Iterable[Any]]:
        """(event, place) pairs a block at a time: a source's own blocks, or lists of pairs."""
        if getattr(events, "paired", False):
            return events.blocks() if hasattr(events, "blocks") else in_blocks(events)
        return in_blocks(with_places(events, start))

    def _fused_loop(self, tally: CompactTally) -> Callable[..., tuple[int, int | None]]:
        """The generated loop of compact tallies (codegen._fused_loop), bound to `tally` and to the ways of
        rejecting an event that `_tally_loop` uses."""
        kind_problem, rejection, data_error = self._rejections(tally.placer)
        namespace = self._namespace(tally)
        namespace.update(kind_problem=kind_problem, rejection=rejection, data_error=data_error, Invalid=Invalid)
        return namespace[FUSED_LOOP]  # type: ignore[no-any-return]

    def _rejections(self, placer: Placer) -> tuple[Callable[..., EventProblem], Callable[..., EventProblem], Callable[..., EventProblem]]:
        """How a tally loop rejects an event (ev, raw place, seq[, error]): of no known kind, invalid, or
        failing on data of the wrong shape (anything else is an internal error, raised)."""

        def kind_problem(ev: object, place: RawPlace, seq: int) -> EventProblem:
            return attrs.evolve(self._kind_problem(ev, placer(place)), seq=seq)

        def rejection(ev: dict[str, Any], place: RawPlace, seq: int, error: Invalid) -> EventProblem:
            return self._rejection(ev, placer(place), seq, error)

        def data_error(ev: dict[str, Any], place: RawPlace, seq: int, error: Exception) -> EventProblem:
            # Only data errors are event errors: a list or object where a single value belongs
            # fails a lookup or comparison with a TypeError. Anything else is our bug.
            shape = shape_problem(ev, placer(place)) if isinstance(error, TypeError) else None
            if shape is None:
                raise self._internal_error(error, placer(place)) from error
            return self._rejection(ev, shape.place, seq, Invalid(shape.message, shape.field))

        return kind_problem, rejection, data_error

    def _namespace(self, tally: AnyTally) -> dict[str, Any]:
        """The generated code run for `tally` (records: a handler per kind; compact: the fused loop) and its globals."""
        reject_unlisted = self.rubric.unlisted != "scored_apart"
        code, compiled = self.code, self._compiled
        if isinstance(tally, CompactTally):
            assert self.code.compact is not None and self._compiled_compact is not None, "only a compactable program makes compact tallies"
            code, compiled = self.code.compact, self._compiled_compact
            namespace = compact_namespace(tally, self.code.constants, self.window, list(self.units), self.matcher, reject_unlisted)
            for name in code.handler_names.values():
                namespace[f"SIGS_{name}"] = {}
        else:
            namespace = handler_namespace(tally, self.code.constants, self.window, list(self.units), self.matcher, reject_unlisted)
        namespace.update(UNIT_ATTRS=self.unit_attributes(), NO_ATTRS={})  # for filters on the unit's attributes
        exec(compiled, namespace)
        return namespace

    def _handlers(self, tally: Tally) -> dict[str, Callable[[dict[str, Any], int, object], None]]:
        namespace = self._namespace(tally)
        return {kind: namespace[name] for kind, name in self.code.handler_names.items()}

    # -- finishing
    def score(
        self,
        events: Iterable[Any],
        as_of: datetime.date | str | None = None,
        skip_invalid: bool = False,
        path: str = "<events>",
        period: str | None = None,
    ) -> Scorecard:
        """Tally and finish in one go (`period`: see `scoring_period`). Raises EventError if any event is invalid,
        unless `skip_invalid`."""
        as_of = as_date(as_of)  # a bad date is refused before any event is read
        if period is not None:
            self.scoring_period(as_of, period)  # an unknown period is refused before any event is read, too
        tally = self.tally(events, path=path)
        if tally.problems and not skip_invalid:
            raise EventError(tally.problems)
        return self.finish(tally, as_of, period)

    def month_as_of(self, year: int, month: int) -> datetime.date:
        """The as-of date of a month's bulletin: its last day (the window's end, if that comes first).
        Raises UsageError for a month after the window."""
        if datetime.date(year, month, 1) > self.window.end:
            raise UsageError(
                _(
                    "no bulletin for {month}: the window ends {end}",
                    month=datetime.date(year, month, 1).strftime("%Y-%m"),
                    end=self.window.end,
                )
            )
        return as_of_for_month(self.window, year, month)

    def suggest_unit(self, name: str, card: Scorecard) -> str | None:
        """The unit a name missing from `card` probably meant: the same name in the other script or one
        character off first, else the closest spelling."""
        near = self.matcher.probable(name)
        return near[0] if near else closest(name, (u.unit for u in card.units))

    def months(self, as_of: datetime.date | None) -> list[int]:
        return months_of(self.window, as_of)

    def scoring_period(
        self, as_of: datetime.date | None = None, period: str | None = None
    ) -> tuple[datetime.date, datetime.date, str | None]:
        """(first day, last day, label) of the part of the window one run scores: the named `period` (a declared
        period's name, or 2022, 2022-Q1, 2022-03, 2022-W05), else the rubric's `period quarter` (week, month, year)
        that holds the as-of date (the window's end without one), else the whole window (label None).
        Raises UsageError for a period that is unknown or outside the window."""
        window = self.window
        if period is not None:
            declared = next((p for p in self.rubric.periods if p.name == period), None)
            bounds = (declared.start, declared.end) if declared else parse_period(period)
            if bounds is None:
                names = ", ".join(p.name for p in self.rubric.periods)
                if names:
                    raise UsageError(_("unknown period `{period}`; the declared periods are: {names}", period=period, names=names))
                raise UsageError(_("unknown period `{period}`; write 2022, 2022-Q1, 2022-03 or 2022-W05", period=period))
            label = period
        elif self.rubric.period is not None:
            day = min(as_of or window.end, window.end)
            bounds = period_bounds(self.rubric.period, max(day, window.start))
            label = period_label(self.rubric.period, bounds[0])
        else:
            return window.start, window.end, None
        start, end = max(bounds[0], window.start), min(bounds[1], window.end)
        if start > end:
            raise UsageError(
                _(
                    "the period {label} ({start} to {end}) is outside the window {window_start} to {window_end}",
                    label=label,
                    start=bounds[0],
                    end=bounds[1],
                    window_start=window.start,
                    window_end=window.end,
                )
            )
        return start, end, label

    def finish(self, tally: AnyTally, as_of: datetime.date | str | None = None, period: str | None = None) -> Scorecard:
        as_of = as_date(as_of)
        start, end, label = self.scoring_period(as_of, period)
        if as_of is not None and as_of < start:
            # No month of the period has begun: "every month" and "months without" would be meaningless.
            if label is None:
                raise UsageError(_("the as-of date {as_of} is before the window starts ({start})", as_of=as_of, start=start))
            raise UsageError(
                _("the as-of date {as_of} is before the period {label} starts ({start})", as_of=as_of, label=label, start=start)
            )
        cut = min(end, as_of) if as_of else end
        months = list(range(month_key(start), month_key(cut) + 1))
        with no_cyclic_gc(), localcontext(EXACT):
            return self._finish(tally, as_of, months, (start, end, label))

    def _finish(
        self,
        tally: AnyTally,
        as_of: datetime.date | None,
        months: list[int],
        scored: tuple[datetime.date, datetime.date, str | None] | None = None,
    ) -> Scorecard:
        results = []
        evaluations: dict[str, UnitEvaluation] = {}
        excluded_by_unit: dict[str | None, list[Excluded]] = {}
        start, end, label = scored if scored else (self.window.start, self.window.end, None)
        late = tally.after(as_of, self.window) if as_of else []
        outside = tally.outside(start, end, as_of, self.window) if label is not None else []
        window_excluded = tally.window_excluded(self.window)
        for e in window_excluded + late + outside:
            excluded_by_unit.setdefault(e.unit, []).append(e)
        if isinstance(tally, CompactTally):
            units = tally.slot_records(self.slot_layout, self.window, self.slot_values, self.dated_kinds)
        else:
            units = tally.units
        if as_of:
            units = tally.cut_at(as_of, units)
        too_soon: list[Excluded] = []
        if self.rubric.requirements:
            assert isinstance(tally, Tally), (
                "a rubric with requirements keeps records (plan.compact_plan)"
            )  # before the period's cut: the event an A must follow may lie in an earlier period
            units, too_soon = self.required_gaps(tally, units, start, min(end, as_of) if as_of else end)
            for e in too_soon:
                excluded_by_unit.setdefault(e.unit, []).append(e)
        if label is not None:
            units = {unit: [[r for r in records if start <= r[DATE] <= end] for records in slots] for unit, slots in units.items()}
        bounds = (start, min(end, as_of) if as_of else end)
        across = across_units(units, self.across_slots)
        for name, slots in units.items():
            decl = self.units.get(name)
            target = decl.target.value if decl and decl.target is not None else None
            ev = evaluations[name] = UnitEvaluation(self, slots, months, target, bounds, decl)
            ev.across = across
        # Every unit scores a stage before any starts the next: an item scored by rank compares all units' values.
        for stage in self.stages:
            if stage:
                place_units(self, evaluations, stage[0])
            for name, ev in evaluations.items():
                evaluate_items(ev, excluded_by_unit.get(name, []), stage)
        for name, ev in evaluations.items():
            decl, target = ev.unit, ev.target
            group = self.groups.get(decl.group) if decl else None
            items, named = finish_unit(ev)
            raw_total, worked_out = unit_total(ev)
            total, total_limits = limited_total(self, raw_total)
            total_limits = worked_out + total_limits
            completion = (total / target) if target and total is not None else None
            results.append(
                UnitResult(
                    name,
                    decl.group if decl else None,
                    group.label if group else None,
                    target,
                    total,
                    tuple(items),
                    decl is not None,
                    None,
                    completion,
                    sum(e.count for e in excluded_by_unit.get(name, [])),
                    named,
                    total_limits=total_limits,
                )
            )
        # vetoes, grades and statuses; units combined from their members; then ranks
        ranked = rank_results(self, combine_and_settle(self, results, evaluations), evaluations)
        excluded = window_excluded + late + outside + tally.resent + too_soon
        period_end = min(end, as_of) if as_of else end
        return Scorecard(
            self.rubric.title or "",
            ranked,
            excluded,
            list(tally.problems),
            list(self.warnings_text()) + tally.warnings,
            as_of,
            (start, period_end),
            self.places,
            events_read=tally.read,
            events_scored=tally.valid_count - sum(e.count for e in window_excluded + late + outside + too_soon),
            rounding=self.rounding,
            period_label=label,
            matched=[UnitMatch(name, unit, why, str(place)) for name, (unit, why, place) in sorted(tally.matched.items())],
        )

    def required_gaps(
        self, tally: Tally, units: dict[str, list[list[tuple[Any, ...]]]], start: datetime.date, end: datetime.date
    ) -> tuple[dict[str, list[list[tuple[Any, ...]]]], list[Excluded]]:
        """`require A at least N days after B [of the same F], or it does not count`: each A event whose unit's latest
        B (with the same F; not the event itself) dated on or before it is fewer than N days earlier, or that has no
        such B, is left out of every slot of its unit. Returns the records without them (new lists: the tally's own
        are never changed) and, for those dated in the period scored, why each was left out."""
        out: list[Excluded] = []
        for requirement in self.rubric.requirements:
            later, earlier = self.slots[slot_for(requirement.later)], self.slots[slot_for(requirement.earlier)]
            keyed = requirement.later.key is not None
            cited = next((c.clause_id for c, target in self.rubric.citations if target is requirement), None)
            what = render_source(requirement.earlier.source)
            for unit, slots in list(units.items()):
                if not slots[later]:
                    continue
                anchors: dict[object, list[tuple[datetime.date, int]]] = {}
                for record in slots[earlier]:
                    if keyed and record[VALUE] is None:
                        continue  # without the key it shares it with no event
                    anchors.setdefault(record[VALUE] if keyed else None, []).append((record[DATE], record[SEQ]))
                for found in anchors.values():
                    found.sort()
                dropped: set[int] = set()
                for record in slots[later]:
                    day, seq = record[DATE], record[SEQ]
                    key = record[VALUE] if keyed else None
                    # an event without the key shares it with none (anchors hold no event without it)
                    found = [] if keyed and key is None else anchors.get(key, [])
                    at = bisect.bisect_right(found, (day, float("inf")))
                    previous = next((found[i] for i in range(at - 1, -1, -1) if found[i][1] != seq), None)
                    if previous is not None and (day - previous[0]).days >= requirement.days:
                        continue
                    dropped.add(seq)
                    if not start <= day <= end:
                        continue  # another period's event: excluded as such already
                    if previous is None:
                        detail = _("no {what} on or before it", what=what)
                    else:
                        detail = _(
                            "{days} days after {what} on {date}; at least {wanted} required",
                            days=(day - previous[0]).days,
                            what=what,
                            date=previous[0],
                            wanted=requirement.days,
                        )
                    if cited:
                        detail = f"{cited}: {detail}"
                    entry = tally.ids.get(record[EVENT_ID])
                    place = str(tally.placer(entry[1])) if entry is not None else ""
                    kind = requirement.later.source.kind
                    out.append(Excluded(record[EVENT_ID], unit, kind, day, place, ExclusionReason.REQUIRED_GAP, detail, seq=seq))
                if dropped:
                    units = {**units, unit: [[r for r in records if r[SEQ] not in dropped] for records in slots]}
        return units, sorted(out, key=lambda e: e.seq)

    def warnings_text(self) -> list[str]:
        return [d.render() for d in self.warnings]

    def memo(self, derive: Callable[[Any], Any], node: object) -> Any:
        """`derive(node)` for a node of this rubric, computed once: texts and kinds depend only on the rubric,
        not on the unit being scored. (Keyed by identity, which is stable while the program holds its AST.)"""
        key = (derive, id(node))
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = derive(node)
        return value

    def round(self, value: Decimal) -> Decimal:
        return value.quantize(self.quantum, rounding=self.rounding, context=EXACT)


def as_date(value: object) -> datetime.date | None:
    """An as-of date given as a date or as ISO text (as event dates are); anything else is a UsageError."""
    if value is None or isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UsageError(_("as_of must be a date or YYYY-MM-DD text, not {value}", value=repr(value)[:60]))


def across_units(
    units: dict[str, list[list[tuple[Any, ...]]]], slot_indexes: list[int]
) -> dict[int, tuple[dict[Any, Any], dict[Any, set[str]]]]:
    """For each slot compared across units: {key: ((date, seq) of the first event, its unit)} and {key: units}."""
    across: dict[int, tuple[dict[Any, Any], dict[Any, set[str]]]] = {}
    for index in slot_indexes:
        first: dict[Any, Any] = {}
        holders: dict[Any, set[str]] = {}
        for unit, slots in units.items():
            for record in slots[index]:
                key = record[VALUE]
                if key is None:
                    continue
                order = (record[DATE], record[SEQ])
                if key not in first or order < first[key][0]:
                    first[key] = (order, unit)
                holders.setdefault(key, set()).add(unit)
        across[index] = (first, holders)
    return across
