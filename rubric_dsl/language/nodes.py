"""The typed AST of a rubric: frozen attrs nodes, each carrying its source span."""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs


@attrs.frozen
class Span:
    """A 1-based source region: `line`, `column` up to `end_line`, `end_column`."""

    line: int
    column: int
    end_line: int
    end_column: int


NO_SPAN = Span(0, 0, 0, 0)


def _span():
    # Positions never take part in equality, so round-trips and structural tests ignore them.
    return attrs.field(default=NO_SPAN, eq=False, repr=False, kw_only=True)


def number_value(literal: str) -> Decimal:
    """The exact value of a number literal as written in a rubric (`40%` is 0.4)."""
    if literal.endswith("%"):
        return Decimal(literal[:-1]) / 100
    return Decimal(literal)


def walk(node):
    """Every node inside `node` (a node, or a tuple of them), itself included, depth first."""
    if isinstance(node, (tuple, list)):
        for child in node:
            yield from walk(child)
        return
    if not hasattr(node, "__attrs_attrs__"):
        return
    yield node
    for attribute in node.__attrs_attrs__:
        if attribute.name != "span":
            yield from walk(getattr(node, attribute.name))


def sources_of(node):
    """Every Source (kind and filter) an expression reads."""
    return (child for child in walk(node) if isinstance(child, Source))


def plain_value(value):
    """A filter value as the engine compares it: Decimal for numbers, str for words and text, or a date."""
    if isinstance(value, Number):
        return value.value
    if isinstance(value, Word):
        return value.name
    if isinstance(value, Text):
        return value.value
    return value


# ---- event filters and conditions --------------------------------------------


@attrs.frozen
class Compare:
    """`field op value`; `value` is a word (str), quoted text (Text), number literal (Number) or date."""

    field: str
    op: str
    value: object
    span: Span = _span()


@attrs.frozen
class Word:
    """A bare word in a filter, such as an enum value: `outlet = daily_provincial`."""

    name: str


@attrs.frozen
class Number:
    """A number literal, kept as written so the formatter can reproduce it."""

    literal: str

    @property
    def value(self) -> Decimal:
        return number_value(self.literal)


@attrs.frozen
class Text:
    """A quoted string value, unescaped."""

    value: str


@attrs.frozen
class In:
    """`field in (v1, v2, …)`."""

    field: str
    values: tuple
    span: Span = _span()


@attrs.frozen
class And:
    """All of `parts` hold (used for event filters and for item conditions)."""

    parts: tuple


@attrs.frozen
class Or:
    """Any of `parts` holds."""

    parts: tuple


@attrs.frozen
class Not:
    """`part` does not hold."""

    part: object


@attrs.frozen
class Source:
    """The events of `kind` that pass `where` (None: all of them)."""

    kind: str
    where: object = None
    span: Span = _span()


# aggregates: numbers computed over a unit's events in the window


@attrs.frozen
class Count:
    """`count KIND`: the number of matching occurrences (each event counts its quantity)."""

    source: Source


@attrs.frozen
class Sum:
    """`sum FIELD of KIND`: the sum of a numeric field, times each event's quantity."""

    field: str
    source: Source


@attrs.frozen
class Latest:
    """`latest FIELD of KIND`: the field of the latest-dated event (same date: later in the stream)."""

    field: str
    source: Source


@attrs.frozen
class Distinct:
    """`distinct FIELD of KIND`: how many different values the field takes."""

    field: str
    source: Source


@attrs.frozen
class MonthsWithout:
    """`months without KIND`: months of the period (to the as-of date) with no matching event."""

    source: Source


@attrs.frozen
class Reached:
    """`reached KIND [by DATE]`: a matching event exists (dated on or before `deadline`)."""

    source: Source
    deadline: datetime.date | None = None


@attrs.frozen
class NoEvent:
    """`no KIND`: no matching event occurred in the period."""

    source: Source


@attrs.frozen
class AggCompare:
    """`AGG op NUMBER`."""

    aggregate: object
    op: str
    number: Number


@attrs.frozen
class EveryMonth:
    """`every month AGG op NUMBER`: the comparison holds in each month of the period."""

    aggregate: object
    op: str
    number: Number


# countables: what `for each` multiplies by


@attrs.frozen
class Events:
    """`for each KIND`: every matching event, times its quantity."""

    source: Source


@attrs.frozen
class Whose:
    """`whose latest FIELD op VALUE`: keep a distinct value only if its latest event passes."""

    field: str
    op: str
    value: object


@attrs.frozen
class DistinctValues:
    """`for each distinct FIELD of KIND [whose …]`."""

    field: str
    source: Source
    whose: Whose | None = None


@attrs.frozen
class MonthsWhere:
    """`for each month where AGG op NUMBER`: the months of the period in which it holds."""

    aggregate: object
    op: str
    number: Number


# amounts: how a rule turns events into points


@attrs.frozen
class PerEach:
    """`N for each COUNTABLE [beyond M]`: N points a counted thing, not counting the first M."""

    points: Number
    countable: object
    beyond: Number | None = None


@attrs.frozen
class Rate:
    """`value points` inside a `by FIELD:` table."""

    value: str
    points: Number


@attrs.frozen
class PerEachBy:
    """`for each KIND by FIELD: v1 N1, v2 N2`: the rate is picked by the event's field."""

    source: Source
    field: str
    rates: tuple


@attrs.frozen
class When:
    """`N when CONDITION`: a fixed award once the condition holds."""

    points: Number
    condition: object


@attrs.frozen
class Always:
    """`N`: awarded unconditionally (to be lowered by deductions)."""

    points: Number


@attrs.frozen
class ShareOf:
    """`N of AGG`: a share (usually a percentage) of an aggregate."""

    factor: Number
    aggregate: object


@attrs.frozen
class Prorated:
    """`N prorated over months where AGG op M`: N × months meeting it / months of the period."""

    points: Number
    aggregate: object
    op: str
    number: Number


# ---- statements: one per source line --------------------------------------------


@attrs.frozen
class Title:
    """`rubric "TITLE"`."""

    title: str
    span: Span = _span()


@attrs.frozen
class SourceDoc:
    """`source "CITATION"`: the document the rubric encodes."""

    citation: str
    span: Span = _span()


@attrs.frozen
class Window:
    """`window START to END`: the assessment period, both ends inclusive."""

    start: datetime.date
    end: datetime.date
    span: Span = _span()


@attrs.frozen
class Precision:
    """`precision DIGITS [rounding MODE]`: item scores are rounded once, at the item."""

    digits: int
    rounding: str = "half_up"
    span: Span = _span()


@attrs.frozen
class Total:
    """`total N`: the declared sum of the section bases."""

    points: Number
    span: Span = _span()


@attrs.frozen
class Clause:
    """`clause ID "TEXT"`: cites the document for the statement before it."""

    clause_id: str
    text: str
    span: Span = _span()


@attrs.frozen
class Unlisted:
    """`unlisted units are scored apart|rejected`: the policy for units not in the tables."""

    policy: str
    span: Span = _span()


@attrs.frozen
class UnitNames:
    """`unit names match across scripts`: an event's unit matches a listed unit in Simplified or Traditional."""

    span: Span = _span()


@attrs.frozen
class Group:
    """`group NAME ["LABEL"] [target N]`: a table of units; `target` is the default for its units."""

    name: str
    label: str | None = None
    target: Number | None = None
    span: Span = _span()


@attrs.frozen
class Unit:
    """`unit "NAME" [target N] [also "ALIAS", …]`: a scored unit of the current group, and other names it goes by."""

    name: str
    target: Number | None = None
    aliases: tuple[str, ...] = ()
    span: Span = _span()


@attrs.frozen
class Bulletin:
    """`bulletin monthly, yearly`: the bulletins the rubric's office publishes."""

    periods: tuple
    span: Span = _span()


@attrs.frozen
class CommendCompletion:
    """`commend completion >= N%`: units whose score reaches that share of the target."""

    op: str
    number: Number
    span: Span = _span()


@attrs.frozen
class CommendTop:
    """`commend top N [per group]`: the N best units (of each group)."""

    count: int
    per_group: bool = False
    span: Span = _span()


@attrs.frozen
class EventKind:
    """`event NAME ["LABEL"]`: an event kind the rubric accepts; its fields follow."""

    name: str
    label: str | None = None
    span: Span = _span()


@attrs.frozen
class FieldType:
    """A field's type: `text`, `integer`, `decimal`, `date`, or `enum` with `choices`."""

    name: str
    choices: tuple = ()


@attrs.frozen
class FieldOption:
    """One option of a field: `optional`, `default`, `required_when`, `only_when`, `range`, `min`, `max`."""

    name: str
    args: tuple = ()


@attrs.frozen
class Field:
    """`field NAME: TYPE, OPTION, …` of the current event kind."""

    name: str
    type: FieldType
    options: tuple = ()
    span: Span = _span()


@attrs.frozen
class SectionHead:
    """`section ID "TITLE" [base N]`."""

    section_id: str
    title: str
    base: Number | None = None
    span: Span = _span()


@attrs.frozen
class ItemHead:
    """`item ID "TITLE" [base N]`."""

    item_id: str
    title: str
    base: Number | None = None
    span: Span = _span()


@attrs.frozen
class PartHead:
    """`part ID "TITLE"`: a sub-item counted on its item's scale."""

    item_id: str
    title: str
    span: Span = _span()


@attrs.frozen
class ClauseText:
    """`text "ORIGINAL"`: the source sentence of the current item."""

    text: str
    span: Span = _span()


@attrs.frozen
class Responsible:
    """`responsible "DEPT", …`: who answers for the current item."""

    names: tuple
    span: Span = _span()


@attrs.frozen
class Assisting:
    """`assisting "DEPT", …`: who assists with the current item."""

    names: tuple
    span: Span = _span()


@attrs.frozen
class Floor:
    """`floor N`: the item never scores below N."""

    points: Number
    span: Span = _span()


@attrs.frozen
class Cap:
    """`cap N`: the item never scores above N."""

    points: Number
    span: Span = _span()


@attrs.frozen
class Scale:
    """`scale parts from RAW to POINTS[, extra at most X][, raw floor F]`: parts convert to the item."""

    raw: Number
    points: Number
    extra_cap: Number | None = None
    raw_floor: Number | None = None
    span: Span = _span()


@attrs.frozen
class Rule:
    """`award|bonus|deduct AMOUNT [, at most N]`: `verb` says which part of the item it feeds."""

    verb: str
    amount: object
    cap: Number | None = None
    span: Span = _span()


# ---- the structured rubric -----------------------------------------------------


@attrs.frozen
class KindDecl:
    """An event kind with its fields."""

    name: str
    label: str | None
    fields: tuple
    span: Span = _span()


@attrs.frozen
class ItemDecl:
    """An item (or a part) with its text, owners, rules, bounds, scale and parts."""

    item_id: str
    title: str
    base: Number | None
    text: str | None
    responsible: tuple
    assisting: tuple
    rules: tuple
    floor: Number | None
    cap: Number | None
    scale: Scale | None
    parts: tuple
    is_part: bool = False
    span: Span = _span()


@attrs.frozen
class SectionDecl:
    """A section and its items."""

    section_id: str
    title: str
    base: Number | None
    items: tuple
    span: Span = _span()


@attrs.frozen
class UnitDecl:
    """A scored unit: its name, group, (inherited) target and the other names events may use for it."""

    name: str
    group: str
    target: Number | None
    aliases: tuple[str, ...] = ()
    span: Span = _span()


@attrs.frozen
class GroupDecl:
    """A group of units."""

    name: str
    label: str | None
    target: Number | None
    units: tuple
    span: Span = _span()


@attrs.frozen
class Rubric:
    """A whole rubric: header, unit tables, event kinds, sections; `statements` keeps the source order."""

    title: str | None
    source: str | None
    window: Window | None
    precision: Precision
    total: Total | None
    unlisted: str
    groups: tuple
    kinds: tuple
    sections: tuple
    bulletins: tuple
    commend: object
    clauses: tuple
    statements: tuple
    fold_scripts: bool = False  # `unit names match across scripts`
    path: str = attrs.field(default="<rubric>", eq=False)

    @property
    def units(self) -> tuple:
        return tuple(unit for group in self.groups for unit in group.units)

    def all_items(self):
        """Every item and part, depth first."""
        for section in self.sections:
            for item in section.items:
                yield item
                yield from item.parts
