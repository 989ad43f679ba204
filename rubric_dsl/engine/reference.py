"""The reference interpreter: the per-event path (validation, filters, records) read straight from the AST, with no code generation.

Slow and plain on purpose. It answers the same questions as the handlers `codegen` writes, from the
same declarations, so a test can run both on every case and on generated rubrics and streams and
demand identical tallies and scorecards: the differential oracle for the compiled engine. The
run-time services both use (dates, identities, units, coercions of single values) come from `runtime`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..errors import NoCase
from ..language import nodes as n
from ..language.render import render_filter
from ..numbers import EXACT
from .plan import DAY_DATE, DAY_EXCLUDED, DAY_MONTH, SlotKey, SlotValue
from .program import Program
from .runtime import INTEGER_LIMIT, MAX_QUANTITY, Tally, content_digest, exact_number, handler_namespace

ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
COMMON_TYPES = {"id": "text", "unit": "text", "date": "date", "quantity": "integer", "kind": "text"}
PYTHON_CLASS = {"decimal": Decimal, "integer": int, "text": str, "boolean": bool}
COERCION = {"decimal": "to_decimal", "integer": "to_integer", "text": "to_text", "boolean": "to_boolean"}


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


def literal(value: object, field_type: str) -> object:
    """A filter or default literal as it compares with a validated value of `field_type`."""
    if isinstance(value, n.Word):
        return value.name == "true" if field_type == "boolean" else value.name
    if isinstance(value, n.Text):
        return value.value
    if isinstance(value, n.Number):
        if field_type in ("enum", "text"):
            return value.literal
        if field_type == "integer":
            return int(value.value)
        return value.value
    return value  # a date


UNIT_ATTRIBUTES = " unit attributes"  # a key no field can have (names have no spaces)


def unit_literal(value: object) -> object:
    """A literal as a unit attribute holds it (true/false as bool)."""
    if isinstance(value, n.Word) and value.name in ("true", "false"):
        return value.name == "true"
    return n.plain_value(value)


def holds(node: object, values: dict[str, Any], types: dict[str, str]) -> bool:
    """Whether an event's (validated) values pass a filter."""
    match node:
        case None:
            return True
        case n.Compare():
            here = values[node.field]
            wanted: Any = literal(node.value, types.get(node.field, "text"))
            if node.op == "=":
                return bool(here == wanted)
            if node.op == "!=":
                return bool(here != wanted)
            return here is not None and bool(ORDER[node.op](here, wanted))
        case n.In():
            return values[node.field] in {literal(v, types.get(node.field, "text")) for v in node.values}
        case n.And():
            return all(holds(part, values, types) for part in node.parts)
        case n.Or():
            return any(holds(part, values, types) for part in node.parts)
        case n.Not():
            return not holds(node.part, values, types)
        case n.UnitIs():  # the unit's attribute: values carry the unit's attributes under UNIT_ATTRIBUTES
            have = values[UNIT_ATTRIBUTES].get(node.attribute)
            if node.op == "in":
                assert isinstance(node.value, tuple)  # the builder makes `in` lists tuples
                return have in [unit_literal(v) for v in node.value]
            wanted = unit_literal(node.value)
            if node.op == "=":
                return bool(have == wanted)
            if node.op == "!=":
                return bool(have != wanted)
            return have is not None and bool(ORDER[node.op](have, wanted))
        case _:
            raise NoCase("the reference interpreter's filter (reference.holds)", node)


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
        conditional = [f for f in kind.fields if any(o.name in ("required_when", "only_when") for o in f.options)]
        for field in [f for f in kind.fields if f not in conditional] + conditional:
            values[field.name] = self.checked(field, values)
        known = s["NAMES"].get(unit)  # (listed name, its value code)
        unit = (known if known is not None else s["known_as"](unit, place, seq))[0]
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
            records = s["new_unit"](unit, place, seq)
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
        s = self.s
        options = {o.name: o.args for o in field.options}
        value = values[field.name]
        field_type = field.type.name
        if value is None:
            if "default" in options:
                default = literal(options["default"][0], field_type)
                if field_type == "decimal":
                    default = Decimal(str(default))
                if "only_when" not in options or holds(options["only_when"][0], values, self.types):
                    return default
                return None
            if "required_when" in options:
                condition = options["required_when"][0]
                if holds(condition, values, self.types):
                    s["missing_field"](field.name, render_filter(condition))
                return None
            if "optional" in options or "only_when" in options:
                return None
            s["missing_field"](field.name, None)
        if "only_when" in options and not holds(options["only_when"][0], values, self.types):
            s["only_when_field"](field.name, render_filter(options["only_when"][0]))
        if field_type == "enum":
            choices = frozenset(str(c) for c in field.type.choices)
            if value not in choices:
                value = s["to_enum"](value, choices, field.name)
        elif field_type in PYTHON_CLASS:
            usual = type(value) is PYTHON_CLASS[field_type]
            if field_type == "decimal" and usual:
                usual = exact_number(value) is not None
            elif field_type == "integer" and usual:
                usual = -INTEGER_LIMIT < value < INTEGER_LIMIT
            if not usual:
                value = s[COERCION[field_type]](value, field.name)
        elif field_type == "date":
            value = s["to_date"](value, field.name)
        for option, args in options.items():
            if option in ("range", "min", "max"):
                low = args[0].value if option in ("range", "min") else None
                high = args[-1].value if option in ("range", "max") else None
                if (low is not None and value < low) or (high is not None and value > high):
                    s["out_of_range"](value, field.name, low, high)
        return value
