"""The reference interpreter: the per-event path (validation, filters, records) read straight from the AST, with no code generation.

Slow and plain on purpose. It answers the same questions as the handlers `codegen` writes, from the
same declarations, so a test can run both on every case and on generated rubrics and streams and
demand identical tallies and scorecards: the differential oracle for the compiled engine. The
run-time services both use (dates, identities, units, coercions of single values) come from `runtime`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..language import nodes as n
from ..numbers import EXACT
from .declarations import COMMON_TYPES, UNIT_ATTRIBUTES, check_conditional_bounds, checked, checking_order, holds
from .plan import DAY_DATE, DAY_EXCLUDED, DAY_MONTH, SlotKey, SlotValue
from .program import Program
from .runtime import MAX_QUANTITY, Tally, content_digest, handler_namespace


class ReferenceProgram(Program):
    """A Program whose events go through the interpreter below instead of generated handlers. It keeps
    records only (a compact tally is checked against records, tests/test_compact.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compactable = False

    def _handlers(self, tally: Tally) -> dict[str, Callable[[dict[str, Any], int, object], None]]:
        services = handler_namespace(tally, {}, self.window, list(self.units), self.matcher, self.rubric.unlisted != "scored_apart")
        services["UNIT_ATTRS"] = self.unit_attributes()
        return {kind.name: KindInterpreter(kind, self.slots, services) for kind in self.rubric.kinds}


def reference_of(program: Program) -> ReferenceProgram:
    """The same rubric, run by the reference interpreter."""
    return ReferenceProgram(program.rubric, program.warnings)


class KindInterpreter:
    """Validates and records the events of one kind, reading its declaration each time."""

    def __init__(self, kind: n.KindDecl, slots: dict[SlotKey, int], services: dict[str, Any]):
        self.kind = kind
        self.slots = [(key, index) for key, index in slots.items() if key.source.kind == kind.name]
        self.s = services
        self.types = {**COMMON_TYPES, **{f.name: f.type.name for f in kind.fields}}
        self.allowed = frozenset([*COMMON_TYPES, *(f.name for f in kind.fields)])

    def __call__(self, ev: dict[str, Any], seq: int, place: object) -> None:
        s = self.s
        kind = self.kind
        if not set(ev) <= self.allowed:
            s["unknown_fields"](ev, self.allowed, kind.name)
        event_id = ev.get("id")
        if type(event_id) is not str or event_id == "":
            event_id = s["bad_id"](event_id)
        unit = ev.get("unit")
        if type(unit) is not str or unit == "":
            s["bad_unit"](unit)
        date_text = ev.get("date")
        day = s["DATES"].get(date_text)
        if day is None:
            day = s["add_date"](date_text)
        quantity = ev.get("quantity", 1)
        if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:
            quantity = s["to_quantity"](quantity)
        values: dict[str, Any] = {"id": event_id, "unit": unit, "date": day[DAY_DATE], "quantity": quantity, "kind": kind.name}
        values.update({f.name: ev.get(f.name) for f in kind.fields})
        # fields without conditions first: a condition reads the validated values of the fields it names
        for field in checking_order(kind):
            values[field.name] = self.checked(field, values)
        for field in kind.fields:  # bounds that hold only for some events, once every field is known
            check_conditional_bounds(field, values, self.types)
        name = s["NAMES"].get(unit)
        unit = name if name is not None else s["known_as"](unit, place, seq)
        values["unit"] = unit
        values[UNIT_ATTRIBUTES] = s["UNIT_ATTRS"].get(unit, {})
        # the same content is the same kind, unit, date, quantity and values (a decimal's value, not its spelling)
        content = (kind.name, unit, day[DAY_DATE], quantity, *(self.canonical(f, values[f.name]) for f in kind.fields))
        fingerprint = content_digest(repr(content))
        previous = s["IDS"].get(event_id)
        if previous is not None:
            s["seen_again"](ev, place, seq, previous, event_id, fingerprint, unit, kind.name, day)
            return
        records = s["UNITS"].get(unit)
        if records is None:  # before the id is claimed: an event rejected for its unit does not claim it
            records = s["new_unit"](unit, place, seq, event_id)
        s["IDS"][event_id] = (fingerprint, place, seq, kind.name, unit, day)
        if day[DAY_EXCLUDED] is not None:
            s["exclude"](seq, place, day, unit, kind.name, event_id)
            return
        for key, index in self.slots:
            if not holds(key.source.where, values, self.types):
                continue
            record: tuple[Any, ...] | None
            base = (seq, event_id, day[DAY_DATE], day[DAY_MONTH], quantity)
            if key.value is SlotValue.NONE:
                record = (*base, None)
            elif key.value is SlotValue.FIELD:
                record = (*base, values[str(key.field)])
            elif key.value is SlotValue.PAIR:
                record = (*base, (values[str(key.field)], values[str(key.tested)]))
            else:  # RATE: only values the table lists are recorded
                rate = dict(key.rates).get(values[str(key.field)])
                record = None if rate is None else (*base, (values[str(key.field)], rate))
            if record is not None and key.entity is not None:
                # an item scored per sub-entity: only events carrying the entity's field, each value
                # paired with the entity's value
                entity = values.get(key.entity) if key.entity in self.types else None
                record = None if entity is None else (*record[:-1], (entity, record[-1]))
            if record is not None:
                records[index].append(record)

    @staticmethod
    def canonical(field: n.Field, value: Any) -> Any:
        return value.normalize(EXACT) if field.type.name == "decimal" and value is not None else value

    def checked(self, field: n.Field, values: dict[str, Any]) -> Any:
        """A field's value after its declaration: defaulted, required, coerced and bounded (or Invalid raised)."""
        return checked(field, values, self.types)
