"""Unit tables as data: rows from a CSV, YAML or JSON file (`units from`, `--units`) or a test case's
`units:` list become UnitDecls, typed and checked against the rubric's `attribute` declarations."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from ..i18n import _
from ..language import nodes as n
from .events import BadRecord, with_places
from .opening import read_events

NAME_KEYS = ("unit", "id", "name")  # the column naming the unit (the corpus writes `id`)
ROW_KEYS = ("group", "target", "note", "label", "also")
DEFAULT_GROUP = "units"


class UnitTableError(Exception):
    """Rows that cannot be units: every problem with its place (`file:line` or `case …, unit row N`)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def coerce(value, ftype: n.FieldType, name: str):
    """A cell's value as the declared type holds it, or ValueError with the reason."""
    kind = ftype.name
    if kind == "table":  # a mapping, such as each indicator's maximum: (key, value) pairs in key order
        if not isinstance(value, dict):
            raise ValueError(_("`{name}` is a table (a mapping such as {{指标甲: 10}}), not {value}", name=name, value=repr(value)))
        return tuple(sorted((str(k), coerce(v, ftype.choices[0], f"{name}.{k}")) for k, v in value.items()))
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError(_("`{name}` is true or false, not {value}", name=name, value=repr(value)))
    if kind in ("decimal", "integer"):
        if isinstance(value, bool):
            raise ValueError(_("`{name}` is a number, not {value}", name=name, value=repr(value)))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("`{name}` is a number, not {value}", name=name, value=repr(value))) from None
        if not number.is_finite():
            raise ValueError(_("`{name}` is a number, not {value}", name=name, value=repr(value)))
        if kind == "integer" and number != number.to_integral_value():
            raise ValueError(_("`{name}` is a whole number, not {value}", name=name, value=repr(value)))
        return number
    if kind == "enum":
        text = str(value).lower() if isinstance(value, bool) else str(value)
        choices = [str(c) for c in ftype.choices]
        if text not in choices:
            raise ValueError(
                _("`{name}` is {value}, which is not one of {choices}", name=name, value=repr(value), choices=" | ".join(choices))
            )
        return text
    if kind == "date":
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(_("`{name}` is a date YYYY-MM-DD, not {value}", name=name, value=repr(value))) from None
    if isinstance(value, (dict, list)):
        raise ValueError(_("`{name}` takes a single value, not {found}", name=name, found=type(value).__name__))
    return str(value)


def units_from_rows(rubric: n.Rubric, rows) -> list[n.UnitDecl]:
    """Rows (mappings, or (mapping, Place) pairs) → UnitDecls. Raises UnitTableError naming every bad row."""
    declared = {a.name: a for a in rubric.attributes}
    groups = {g.name: g for g in rubric.groups}
    problems: list[str] = []
    units: list[n.UnitDecl] = []
    seen: dict = {}
    pairs = rows if getattr(rows, "paired", False) else with_places(rows)
    for row, place in pairs:
        if isinstance(row, BadRecord):
            problems.append(f"{place}: {row.message}")
            continue
        if not isinstance(row, dict):
            problems.append(_("{place}: a unit row is a mapping such as {{unit: 通川區, group: counties}}", place=place))
            continue
        name_key = next((k for k in NAME_KEYS if k in row), None)
        name = row.get(name_key) if name_key else None
        if name is None or isinstance(name, (dict, list)) or str(name) == "":
            problems.append(_("{place}: a unit row needs the unit's name under `unit` (or `id`)", place=place))
            continue
        name = str(name)
        if name in seen:
            problems.append(_("{place}: unit `{name}` is listed twice (first at {first})", place=place, name=name, first=seen[name]))
            continue
        seen[name] = place
        group_name = row.get("group")
        if group_name is None:
            group_name = rubric.groups[0].name if len(rubric.groups) == 1 else DEFAULT_GROUP
            if len(rubric.groups) > 1:
                problems.append(
                    _(
                        "{place}: unit `{name}` needs a `group`; the rubric's groups are: {groups}",
                        place=place,
                        name=name,
                        groups=", ".join(groups),
                    )
                )
                continue
        group_name = str(group_name)
        group = groups.get(group_name)
        written: dict = {}
        for key, value in row.items():
            if (key in NAME_KEYS and key == name_key) or key in ROW_KEYS or value is None:
                continue
            declaration = declared.get(key)
            if declaration is None:
                if declared:
                    known = _("the declared attributes are: {names}", names=", ".join(declared))
                else:
                    known = _("the rubric declares no attributes")
                problems.append(
                    _(
                        "{place}: unit `{name}` has `{key}`, which is not a declared attribute ({known})",
                        place=place,
                        name=name,
                        key=key,
                        known=known,
                    )
                )
                continue
            try:
                written[key] = coerce(value, declaration.type, key)
            except ValueError as error:
                problems.append(_("{place}: unit `{name}`: {error}", place=place, name=name, error=error))
                written[key] = None  # reported: not "missing" as well
        inherited = dict(n.typed_attributes(dict(group.attributes), rubric.attributes)) if group is not None else {}
        defaults = dict(n.typed_attributes({}, rubric.attributes))
        attributes = defaults | inherited | written
        given = set(attributes)
        attributes = {k: v for k, v in attributes.items() if v is not None}
        for declaration in rubric.attributes:
            optional = any(o.name in ("optional", "default") for o in declaration.options)
            if declaration.name not in given and not optional:
                problems.append(
                    _(
                        "{place}: unit `{name}` has no `{attribute}`, which every unit needs",
                        place=place,
                        name=name,
                        attribute=declaration.name,
                    )
                )
        target = row.get("target")
        if target is not None:
            try:
                coerce(target, n.FieldType("decimal"), "target")
                target = n.Number(str(target).strip())
            except ValueError as error:
                problems.append(_("{place}: unit `{name}`: {error}", place=place, name=name, error=error))
                target = None
        elif group is not None:
            target = group.target
        aliases = row.get("also") or ()
        if isinstance(aliases, str):
            aliases = (aliases,)
        units.append(n.UnitDecl(name, group_name, target, tuple(str(a) for a in aliases), attributes=tuple(attributes.items())))
    if problems:
        raise UnitTableError(problems)
    return units


def read_unit_table(rubric: n.Rubric, path: str) -> list[n.UnitDecl]:
    """The units listed in a CSV, YAML or JSON file (one row per unit). Raises UnitTableError or OSError."""
    return units_from_rows(rubric, read_events(path))
