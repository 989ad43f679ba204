"""Event declarations read straight from the AST: filters on an event's values, one field's checks, and every problem of an invalid event.

The reference interpreter validates events with these. The compiled handlers stop at an event's first
problem, so that valid events pay nothing for more; only when one is rejected does `every_problem` read
the kind's declarations again and check each field on its own, in the handler's order.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from ..errors import NoCase
from ..i18n import _
from ..language import nodes as n
from ..language.render import render_filter
from .runtime import (
    INTEGER_LIMIT,
    MAX_QUANTITY,
    Invalid,
    bad_id,
    bad_unit,
    event_date,
    exact_number,
    missing_field,
    only_when_field,
    out_of_range,
    out_of_range_when,
    to_boolean,
    to_date,
    to_decimal,
    to_enum,
    to_integer,
    to_quantity,
    to_text,
    unknown_field,
)

ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
COMMON_TYPES = {"id": "text", "unit": "text", "date": "date", "quantity": "integer", "kind": "text"}
PYTHON_CLASS: dict[str, type] = {"decimal": Decimal, "integer": int, "text": str, "boolean": bool}
COERCION: dict[str, Callable[[object, str], Any]] = {
    "decimal": to_decimal,
    "integer": to_integer,
    "text": to_text,
    "boolean": to_boolean,
}
UNIT_ATTRIBUTES = " unit attributes"  # a key no field can have (names have no spaces)
CONDITIONAL = ("required_when", "only_when")


def literal(value: object, field_type: str) -> object:
    """A filter or default literal as it compares with a validated value of `field_type`."""
    match value:
        case n.Word():
            return value.name == "true" if field_type == "boolean" else value.name
        case n.Text():
            return value.value
        case n.Number() if field_type in ("enum", "text"):
            return value.literal
        case n.Number() if field_type == "integer":
            return int(value.value)
        case n.Number():
            return value.value
        case datetime.date():  # a DATE literal is built as a date already
            return value
        case _:
            raise NoCase("the filter literal read from the AST (declarations.literal)", value)


def unit_literal(value: object) -> object:
    """A literal as a unit attribute holds it (true/false as bool)."""
    match value:
        case n.Word(name="true" | "false"):
            return value.name == "true"
        case n.Word() | n.Number() | n.Text() | datetime.date():
            return n.plain_value(value)
        case _:
            raise NoCase("the unit attribute literal read from the AST (declarations.unit_literal)", value)


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
            raise NoCase("the filter read from the AST (declarations.holds)", node)


def fields_read(node: object) -> Iterator[str]:
    """The event fields a filter tests."""
    for part in n.walk(node):
        if isinstance(part, (n.Compare, n.In)):
            yield part.field


def checking_order(kind: n.KindDecl) -> list[n.Field]:
    """The kind's fields in the order they are checked: plain fields first, so that a `required when` or
    `only when` condition reads validated values."""
    conditional = [f for f in kind.fields if any(o.name in CONDITIONAL for o in f.options)]
    return [f for f in kind.fields if f not in conditional] + conditional


def checked(field: n.Field, values: dict[str, Any], types: dict[str, str]) -> Any:
    """A field's value after its declaration: defaulted, required, coerced and bounded (or Invalid raised)."""
    options = {o.name: o.args for o in field.options}
    value = values[field.name]
    field_type = field.type.name
    if value is None:
        if "default" in options:
            default = literal(options["default"][0], field_type)
            if field_type == "decimal":
                default = Decimal(str(default))
            if "only_when" not in options or holds(options["only_when"][0], values, types):
                return default
            return None
        if "required_when" in options:
            condition = options["required_when"][0]
            if holds(condition, values, types):
                missing_field(field.name, render_filter(condition))
            return None
        if "optional" in options or "only_when" in options:
            return None
        missing_field(field.name, None)
    if "only_when" in options and not holds(options["only_when"][0], values, types):
        only_when_field(field.name, render_filter(options["only_when"][0]))
    if field_type == "enum":
        choices = frozenset(str(c) for c in field.type.choices)
        if value not in choices:
            value = to_enum(value, choices, field.name)
    elif field_type in PYTHON_CLASS:
        usual = type(value) is PYTHON_CLASS[field_type]
        if field_type == "decimal" and usual:
            usual = exact_number(value) is not None
        elif field_type == "integer" and usual:
            usual = -INTEGER_LIMIT < value < INTEGER_LIMIT
        if not usual:
            value = COERCION[field_type](value, field.name)
    elif field_type == "date":
        value = to_date(value, field.name)
    for option, args in options.items():
        if option in ("range", "min", "max"):
            low = args[0].value if option in ("range", "min") else None
            high = args[-1].value if option in ("range", "max") else None
            if (low is not None and value < low) or (high is not None and value > high):
                out_of_range(value, field.name, low, high)
    return value


def conditional_bounds(field: n.Field) -> Iterator[tuple[Any, Any, object]]:
    """(low, high, filter) of each bound of the field that holds only when the filter does (None: no bound that side)."""
    for option in field.options:
        match option.name, option.args:
            case "range_when", (low, high, condition):
                yield low.value, high.value, condition
            case "min_when", (low, condition):
                yield low.value, None, condition
            case "max_when", (high, condition):
                yield None, high.value, condition


def check_conditional_bounds(field: n.Field, values: dict[str, Any], types: dict[str, str], broken: frozenset[str] = frozenset()) -> None:
    """Invalid if the field's (validated) value breaks a bound whose filter the event passes. Checked once
    every field is known; a bound whose filter reads a field in `broken` (with a problem of its own) is not judged."""
    value = values[field.name]
    if value is None:
        return
    for low, high, condition in conditional_bounds(field):
        if any(name in broken for name in fields_read(condition)):
            continue
        if ((low is not None and value < low) or (high is not None and value > high)) and holds(condition, values, types):
            out_of_range_when(value, field.name, low, high, render_filter(condition))


def shape_message(field: object, value: object) -> str:
    """A list or an object where a single value belongs."""
    if isinstance(value, dict):
        return _("`{field}` holds an object; it takes a single value", field=field)
    if isinstance(value, (list, tuple, set, frozenset)):
        return _("`{field}` holds a list; it takes a single value", field=field)
    return _("`{field}` holds {value}; it takes a single value", field=field, value=type(value).__name__)


def every_problem(kind: n.KindDecl, ev: dict[str, Any], first: Invalid) -> list[Invalid]:
    """Every field problem of an event a handler rejected with `first`, in the handler's order: unknown
    fields, `id`, `unit`, `date`, `quantity`, the kind's fields, then their bounds that hold `when` a filter does. A condition (`required when`,
    `only when`) that reads a field which has a problem of its own is not judged: its answer is unknown.
    `first` always comes first (a problem found after the fields, such as an unlisted unit, is the only one)."""
    found: list[Invalid] = []
    broken: set[str] = set()

    def attempt(field: str, check: Callable[..., Any], *args: Any) -> Any:
        try:
            return check(*args)
        except Invalid as problem:
            found.append(problem)
        except TypeError:  # a list or an object where a single value belongs
            found.append(Invalid(shape_message(field, ev.get(field)), field))
        broken.add(field)
        return None

    allowed = frozenset([*COMMON_TYPES, *(f.name for f in kind.fields)])
    for extra in sorted(set(ev) - allowed, key=str):
        found.append(unknown_field(extra, allowed, kind.name))
    event_id = ev.get("id")
    if event_id.__class__ is not str or not event_id:
        event_id = attempt("id", bad_id, event_id)
    unit = ev.get("unit")
    if unit.__class__ is not str or not unit:
        attempt("unit", bad_unit, unit)
    day = attempt("date", event_date, ev.get("date"))
    quantity = ev.get("quantity", 1)
    if quantity.__class__ is not int or not 1 <= quantity <= MAX_QUANTITY:
        quantity = attempt("quantity", to_quantity, quantity)
    values: dict[str, Any] = {"id": event_id, "unit": unit, "date": day, "quantity": quantity, "kind": kind.name}
    values.update({f.name: ev.get(f.name) for f in kind.fields})
    types = {**COMMON_TYPES, **{f.name: f.type.name for f in kind.fields}}
    for field in checking_order(kind):
        conditions = [o.args[0] for o in field.options if o.name in CONDITIONAL]
        if any(name in broken for condition in conditions for name in fields_read(condition)):
            broken.add(field.name)  # its own checks would read a value that is not known
            continue
        values[field.name] = attempt(field.name, checked, field, values, types)
    for field in kind.fields:
        if field.name not in broken:
            attempt(field.name, check_conditional_bounds, field, values, types, frozenset(broken))
    shown = (first.message, first.field)
    return [first, *(p for p in found if (p.message, p.field) != shown)]
