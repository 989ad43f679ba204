"""The typed AST of a rubric: frozen attrs nodes, each carrying its source span."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from ..errors import NoCase


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


def walk(node: object) -> Iterator[Any]:
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


def sources_of(node: object) -> Iterator[Source]:
    """Every Source (kind and filter) an expression reads."""
    return (child for child in walk(node) if isinstance(child, Source))


def plain_value(value: object) -> object:
    """A filter value as the engine compares it: Decimal for numbers, str for words and text, or a date."""
    match value:
        case Number():
            return value.value
        case Word():
            return value.name
        case Text():
            return value.value
        case datetime.date():  # a DATE literal is built as a date already: the engine compares it as it is
            return value
        case _:
            raise NoCase("the plain value of a literal (nodes.plain_value)", value)


def typed_attributes(written: dict, declarations=()) -> tuple:
    """Unit attribute values as written (value nodes) → (name, plain value) pairs, typed by their
    declarations (Attribute nodes): numbers as Decimal, `true`/`false` as bool for boolean attributes,
    words and text as str; a declared `default` fills a missing value. Values of undeclared attributes
    are kept plain (the checker reports them)."""
    types = {a.name: a.type for a in declarations}
    merged = dict(written)
    for declaration in declarations:
        default = next((o.args[0] for o in declaration.options if o.name == "default"), None)
        if declaration.name not in merged and default is not None:
            merged[declaration.name] = default
    out = []
    for name, value in merged.items():
        ftype = types.get(name)
        plain = plain_value(value)
        if ftype is not None and ftype.name == "boolean" and isinstance(value, Word) and value.name in ("true", "false"):
            plain = value.name == "true"
        elif ftype is not None and ftype.name in ("enum", "text") and isinstance(value, Number):
            plain = value.literal
        out.append((name, plain))
    return tuple(out)


# ---- event filters and conditions --------------------------------------------


@attrs.frozen
class Compare:
    """`field op value`; `value` is a word (str), quoted text (Text), number literal (Number) or date."""

    field: str
    op: str
    value: FilterValue
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

    part: Filter | Condition


@attrs.frozen
class Source:
    """The events of `kind` that pass `where` (None: all of them)."""

    kind: str
    where: Filter | None = None
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
    """`months without KIND` (`weeks`, `quarters`, `years`): periods of that length (to the as-of date) with no
    matching event."""

    source: Source
    period: str = "month"


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

    aggregate: Aggregate
    op: str
    number: Number


@attrs.frozen
class EveryMonth:
    """`every month VALUE op VALUE` (`every week`, `every quarter`, …): the comparison holds in each of them, its
    values (aggregates, named values, arithmetic) worked out over that week, month or quarter alone."""

    left: Value
    op: str
    right: Value
    period: str = "month"


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
    value: FilterValue


@attrs.frozen
class DistinctValues:
    """`for each distinct FIELD of KIND [whose …]`."""

    field: str
    source: Source
    whose: Whose | None = None


@attrs.frozen
class MonthsWhere:
    """`for each month where VALUE op VALUE` (`week`, `quarter`, `year`): the periods in which it holds, its values
    worked out over each period alone."""

    left: Value
    op: str
    right: Value
    period: str = "month"


# amounts: how a rule turns events into points


@attrs.frozen
class PerEach:
    """`N for each COUNTABLE [beyond M]`: N points a counted thing, not counting the first M."""

    points: Number
    countable: Countable
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
    condition: Condition


@attrs.frozen
class Always:
    """`N`: awarded unconditionally (to be lowered by deductions)."""

    points: Number


@attrs.frozen
class ShareOf:
    """`N of AGG`: a share (usually a percentage) of an aggregate."""

    factor: Number
    aggregate: Aggregate


@attrs.frozen
class Prorated:
    """`N prorated over months where AGG op M`: N × months meeting it / months of the period."""

    points: Number
    aggregate: Aggregate
    op: str
    number: Number


# ---- value expressions ---------------------------------------------------------------
#
# A value expression is arithmetic over numbers, percents and atoms, evaluated per unit to an exact
# Decimal, or to "no value" (a ratio whose denominator is 0, `latest`/`average` of no events, …).
# Aggregates (Count, Sum, Latest, Distinct, MonthsWithout, Average, Minimum, Maximum) are atoms too.
#
# WHERE NEW ATOMS ARE ADDED (one checklist, in stage order):
#   1. a node class below, listed in VALUE_ATOMS;
#   2. an alternative of `?atom` in grammar.lark (then `python tools/make_parser_tables.py`);
#   3. a builder method named like the alternative's alias (builder.py, "value expressions");
#   4. a case in render.render_expr (render_aggregate for an aggregate);
#   5. a case in checker.check_expr (what it refers to, its type: value or condition);
#   6. a case in engine/values.py `ValueEvaluator.atom` (its value for one unit, or None with a reason);
#   7. if it reads events: a case in plan.slot_for and plan.READS_SLOT (docs/contributing.md walks through one);
#   8. a row in docs/language.md "Values" and a snippet in tests/test_grammar.py.
# Named things that are just NAMES (named values, named conditions, unit attributes) need no new
# node: they are NameRef, resolved by the checker (checker.NAME_KINDS) and by ValueEvaluator.name.


@attrs.frozen
class Arith:
    """`LEFT op RIGHT` with op one of `+ - * /` (`×` and `÷` are read as `*` and `/`)."""

    op: str
    left: Value
    right: Value


@attrs.frozen
class Negate:
    """`- VALUE`."""

    operand: Value


@attrs.frozen
class Otherwise:
    """`VALUE otherwise FALLBACK`: the fallback where the value has none (e.g. division by zero)."""

    value: Value
    fallback: Value


@attrs.frozen
class Average:
    """`average FIELD of KIND`: the mean of a numeric field over matching events (each counts its quantity)."""

    field: str
    source: Source


@attrs.frozen
class Minimum:
    """`min FIELD of KIND`: the smallest value of a numeric field."""

    field: str
    source: Source


@attrs.frozen
class Maximum:
    """`max FIELD of KIND`: the largest value of a numeric field."""

    field: str
    source: Source


@attrs.frozen
class UnitTarget:
    """`target`: the unit's target (from its `unit`/`group` line); no value for a unit without one."""


@attrs.frozen
class PeriodCount:
    """`months` (later `quarters`, `weeks`, `days`): how many of them the period has, up to the as-of date."""

    period: str


@attrs.frozen
class NameRef:
    """A bare name in a value or condition: a `let` name (or a unit attribute); the checker resolves it."""

    name: str
    span: Span = _span()


@attrs.frozen
class ValueCompare:
    """`VALUE op VALUE`: a comparison of two value expressions (AggCompare is the old `AGG op NUMBER`)."""

    left: Value
    op: str
    right: Value


@attrs.frozen
class PointsOf:
    """Amount `VALUE [when CONDITION]`: the points equal the value (`award 0.5 * sum hours of training`), only
    while the condition holds when one is given (`award 4% * sales when attainment >= 100%`)."""

    value: Value
    condition: Condition | None = None


@attrs.frozen
class Place:
    """`1 10` in a list of places: the unit ranked first earns 10."""

    rank: int
    points: Number


@attrs.frozen
class ByRank:
    """`by rank of VALUE [lowest first] [within ATTR] [, ties split]: 1 10, 2 8, 3 6, otherwise 0`: points by the
    unit's place among its peers (the listed units, or those with its value of ATTR or group), ranked on the value,
    highest first. Units with the same value share the place (1, 2, 2, 4) and its points, or with `ties split`
    share out the points of the places they fill (2nd and 3rd tied: (8 + 6) / 2 each)."""

    value: Value
    places: tuple
    otherwise: Number | None = None
    within: str | None = None
    lowest_first: bool = False
    ties: str = "share"


@attrs.frozen
class Tier:
    """`POINTS when op BOUND` inside a tier list; POINTS is a number or a value (`6% * sales`)."""

    points: Value
    op: str
    bound: Value


@attrs.frozen
class Tiered:
    """Amount `by VALUE: P1 when op B1, P2 when op B2, otherwise P`: the first tier that holds gives the points."""

    value: Value
    tiers: tuple
    otherwise: Number | None = None


@attrs.frozen
class Steps:
    """Countable `[full] STEP of VALUE beyond|below BOUND`: how many steps the value lies beyond (above) or
    below the bound; `whole` counts only full steps, otherwise the exact fraction."""

    step: Number
    value: Value
    direction: str
    bound: Value
    whole: bool = False


@attrs.frozen
class Shortfall:
    """Countable `KIND short of VALUE [a PERIOD]`: how many events are missing to reach the value (never below 0);
    with `a month` (week, quarter, year), the shortfall of each month of the period scored, added up."""

    source: Source
    wanted: Value
    period: str | None = None


# the aggregates of 0.1, which `AGG op NUMBER` (AggCompare) compares
AGGREGATES = (Count, Sum, Latest, Distinct, MonthsWithout)
# conditions (true or false), as opposed to values (numbers)
CONDITION_NODES: tuple[type, ...] = (And, Or, Not, Reached, NoEvent, AggCompare, EveryMonth, ValueCompare)
VALUE_ATOMS: tuple[type, ...] = (
    Number,
    Count,
    Sum,
    Latest,
    Distinct,
    MonthsWithout,
    Average,
    Minimum,
    Maximum,
    UnitTarget,
    PeriodCount,
    NameRef,
)
# (UnitTotal, ScoreOf, UnitIs and MemberVetoed, declared with the unit outcomes below, join these tuples there.)


# ---- statements: one per source line --------------------------------------------


@attrs.frozen
class Title:
    """`rubric "TITLE"`."""

    title: str
    span: Span = _span()


@attrs.frozen
class Heading:
    """`heading "單位" is unit`: a register's column heading and the field it holds; `is not read` leaves it out (field None)."""

    text: str
    field: str | None
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
class TotalFloor:
    """`total floor N`: a unit's total is never below N ("the payout is never below 0"); items keep their scores."""

    points: Number
    span: Span = _span()


@attrs.frozen
class TotalCap:
    """`total cap N`: a unit's total is never above N ("the payout is at most 100"); items keep their scores."""

    points: Number
    span: Span = _span()


@attrs.frozen
class TotalIs:
    """`total is VALUE`: a unit's total is the value (`80% * score of online + 20% * score of onsite`), worked out
    once the items it reads are scored, instead of the sum of the items counted in it."""

    value: Value
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
class Language:
    """`language zh-Hant`: the language this rubric's messages and bulletins are shown in, unless told otherwise."""

    tag: str
    span: Span = _span()


@attrs.frozen
class Office:
    """`office "…"`: the office that issues the bulletin (its red header)."""

    name: str
    span: Span = _span()


@attrs.frozen
class DocumentNumber:
    """`document number "達市府辦〔{year}〕{number}號"`: the bulletin's document number pattern."""

    pattern: str
    span: Span = _span()


@attrs.frozen
class Subject:
    """`subject "全市政務信息工作"`: what the bulletin reports on (its title says 關於…情況的通報)."""

    text: str
    span: Span = _span()


@attrs.frozen
class Signature:
    """`signature "…"`: who signs the bulletin, under its last line."""

    name: str
    span: Span = _span()


@attrs.frozen
class UnitNames:
    """`unit names match across scripts`: an event's unit matches a listed unit in Simplified or Traditional."""

    span: Span = _span()


@attrs.frozen
class Group:
    """`group NAME ["LABEL"] [target N] [with ATTR VALUE, …]`: a table of units; its target and
    attributes are the defaults of its units."""

    name: str
    label: str | None = None
    target: Number | None = None
    attributes: tuple = ()  # (name, value node) pairs as written
    span: Span = _span()


@attrs.frozen
class Unit:
    """`unit "NAME" [target N] [also "ALIAS", …] [with ATTR VALUE, …]`: a scored unit of the current group,
    other names it goes by, and its attribute values."""

    name: str
    target: Number | None = None
    aliases: tuple[str, ...] = ()
    attributes: tuple = ()  # (name, value node) pairs as written
    span: Span = _span()


@attrs.frozen
class Attribute:
    """`attribute NAME: TYPE, OPTION, …`: a declared property every unit may (or must) carry."""

    name: str
    type: FieldType
    options: tuple = ()
    span: Span = _span()


@attrs.frozen
class UnitsFrom:
    """`units from "FILE"`: the unit table is read from a CSV, YAML or JSON file beside the rubric."""

    path: str
    span: Span = _span()


@attrs.frozen
class OnlyWhen:
    """`only when CONDITION` (item line): the item scores nothing unless the condition holds."""

    condition: Condition
    span: Span = _span()


@attrs.frozen
class ScoredPer:
    """`scored per FIELD of KIND [where F], taking the PICK [as NAME]` (item line): the item is scored
    apart for each distinct FIELD value of the matching events (a sub-entity, such as one inspection),
    counting only events carrying that value; the results are combined by PICK."""

    field: str
    source: Source
    pick: str
    name: str | None = None
    span: Span = _span()


@attrs.frozen
class NotInTotal:
    """`not in the total` (item line): the item is scored and shown but does not add to the total."""

    span: Span = _span()


@attrs.frozen
class GradeRule:
    """`grade LABEL when CONDITION` / `grade LABEL otherwise` (`label` None: `grade none`, no grade).
    Grades are tried in order; the first that holds gives the unit's grade."""

    label: str | None
    condition: Condition | None = None  # None: otherwise
    span: Span = _span()


@attrs.frozen
class StatusRule:
    """`status "TEXT" when CONDITION` / `… otherwise`: a labelled outcome; the first that holds is the status."""

    text: str
    condition: Condition | None = None
    span: Span = _span()


@attrs.frozen
class Veto:
    """`veto when CONDITION: no score | score N [, grade LABEL] [, status "TEXT"]`: when it holds, the
    unit's total is fixed (None: no score), its grade set, and nothing else is scored."""

    condition: Condition
    no_score: bool = False
    score: Number | None = None
    grade: str | None = None
    status: str | None = None
    span: Span = _span()


@attrs.frozen
class RankKey:
    """One ordering key of a ranking: `total`, `score of ITEM` (`lowest_first` reverses it), or
    `countback FIELD of KIND` (more events with the field's first declared value, then the second, …)."""

    what: str  # "total" | "score" | "countback"
    item: str | None = None
    field: str | None = None
    source: Source | None = None
    lowest_first: bool = False


@attrs.frozen
class Rank:
    """`rank [within ATTR] by KEY, then KEY, …`: positions within each value of ATTR (or group)."""

    within: str | None
    keys: tuple
    span: Span = _span()


@attrs.frozen
class Combine:
    """`combine members by ATTR: PICK`: a unit named in its members' ATTR is scored from their totals."""

    attribute: str
    pick: str
    span: Span = _span()


@attrs.frozen
class Require:
    """`require A at least N days after B [of the same F], or it does not count`: an A event counts only if the
    latest B event of its unit (with the same F) dated on or before it is at least N days earlier; otherwise (or
    with no such B) the A event is left out of every rule, and explain says why."""

    later: KeyedEvents
    earlier: KeyedEvents
    days: int
    span: Span = _span()


# conditions on the unit itself and on scores


@attrs.frozen
class UnitTotal:
    """`total` (a value atom): the unit's total of the items counted in it."""


@attrs.frozen
class ScoreOf:
    """`score of ITEM` (a value atom): another item's (or part's) score, once it is scored."""

    item: str
    span: Span = _span()


@attrs.frozen
class UnitIs:
    """`unit ATTR op VALUE` / `unit ATTR in (…)`: a test of the unit's attribute (or `group`)."""

    attribute: str
    op: str  # "in" for a list of values
    value: FilterValue | tuple[FilterValue, ...]
    span: Span = _span()


@attrs.frozen
class MemberVetoed:
    """`any member vetoed`: one of the unit's members (see `combine members`) was vetoed."""


CONDITION_NODES = (*CONDITION_NODES, UnitIs, MemberVetoed)


@attrs.frozen
class FirstPer:
    """Countable `first KIND per FIELD` / `later KIND per FIELD`: for each value of FIELD, the earliest such event
    among all units (date, then stream order) is the first (首报); every other one, and the rest of its quantity,
    is later (跟报). Events without the field are neither."""

    source: Source
    field: str
    first: bool = True


@attrs.frozen
class SharedPer:
    """Countable `KIND shared per FIELD`: each event counts 1 ÷ the number of units with such an event for the
    same value of FIELD (a jointly reported item's credit split among the units that reported it)."""

    source: Source
    field: str


@attrs.frozen
class KeyedEvents:
    """The events of `source`, each with its value of `key` (None: no key), as a time relation reads them."""

    source: Source
    key: str | None = None


@attrs.frozen
class Within:
    """Countable `A within N days after B [of the same F]`: each A dated 0..N days after some B (of the unit, with
    the same F); or `A without B [of the same F] within N days` (`without` True): each A with no such B in the N
    days from it, once those N days have passed by the as-of date."""

    subject: KeyedEvents
    other: KeyedEvents
    days: int
    without: bool = False


@attrs.frozen
class Recent:
    """Value atom `AGGREGATE in the last N days`: the aggregate over the N days up to the as-of date (the end of
    the period scored without one): a window that slides with the as-of date."""

    aggregate: object
    days: int


@attrs.frozen
class TableEntry:
    """Value atom `ATTR of KEY`: the entry KEY of the unit's table attribute ATTR (`indicator_max of 指标甲`,
    from the unit table's `indicator_max: {指标甲: 10, …}`); no value when the unit's table has no such entry."""

    attribute: str
    key: str
    span: Span = _span()


VALUE_ATOMS = (*VALUE_ATOMS, UnitTotal, ScoreOf, TableEntry)


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
    """`commend top N [per group | per ATTRIBUTE]`: the N best units (of each group, of each value of a unit attribute)."""

    count: int
    per_group: bool = False
    per_attribute: str | None = None
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
    """One option of a field: `optional`, `default`, `required_when`, `only_when`, `range`, `min`, `max`; and the
    bounds that hold only for events passing a filter (the filter is the last arg): `range_when`, `min_when`, `max_when`."""

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
class GradeBand:
    """One band of `grade by score: …`: `LABEL when OP NUMBER` (op and number None: `LABEL otherwise`; label None: `none`)."""

    label: str | None
    op: str | None = None
    number: Number | None = None

    def holds(self, score: Decimal) -> bool:
        """Whether a score is in the band (`otherwise`: always)."""
        if self.op is None or self.number is None:
            return True
        bound = self.number.value
        return {
            "<": score < bound,
            "<=": score <= bound,
            ">": score > bound,
            ">=": score >= bound,
            "=": score == bound,
            "!=": score != bound,
        }[self.op]


@attrs.frozen
class ItemGrades:
    """`grade by score: A when <= 13, B when <= 27, C otherwise`: the item's grade, the first band its score is in."""

    bands: tuple
    span: Span = _span()


@attrs.frozen
class Floor:
    """`floor VALUE`: the item never scores below the value (a number, or any value: `floor min_points`)."""

    points: Value
    span: Span = _span()


@attrs.frozen
class Cap:
    """`cap VALUE`: the item never scores above the value (a number, or any value: `cap max_points`)."""

    points: Value
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
class PeriodCap:
    """`N a month` in `, at most 10 a month and 120 a year`: at most N in each month (week, quarter, year); N may be any value (`monthly_max a month`)."""

    points: Value
    period: str


@attrs.frozen
class Rule:
    """`award|bonus|deduct AMOUNT [, at most VALUE] [, at most N a PERIOD [and M a PERIOD …]]`: `verb` says which
    part of the item it feeds; `cap` (a number, or any value: `at most indicator_max of 指标甲`) bounds the whole
    period scored, `period_caps` each week, month, quarter or year of it."""

    verb: str
    amount: Amount
    cap: Value | None = None
    period_caps: tuple = ()
    span: Span = _span()


@attrs.frozen
class JointCap:
    """`VERB [for KIND and KIND …] together at most VALUE`: one limit on what several rules of the item give (or take)
    together: its rules of that verb that count events of the kinds named (every rule of the verb without `for`)."""

    verb: str
    kinds: tuple[str, ...]
    cap: Value
    span: Span = _span()


@attrs.frozen
class PeriodLength:
    """`period quarter` (week, month, year): each run scores one such period of the window."""

    unit: str
    span: Span = _span()


@attrs.frozen
class PeriodDecl:
    """`period NAME ["LABEL"] START to END`: a named period a run can score (`--period NAME`)."""

    name: str
    label: str | None
    start: datetime.date
    end: datetime.date
    span: Span = _span()


@attrs.frozen
class Let:
    """`let NAME = VALUE` or `let NAME = CONDITION`: a named value or condition, usable by every rule."""

    name: str
    body: Value | Condition
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
    floor: Value | None
    cap: Value | None
    scale: Scale | None
    parts: tuple
    is_part: bool = False
    span: Span = _span()
    only_when: Condition | None = None  # a condition, or None
    scored_per: ScoredPer | None = None
    in_total: bool = True
    joint_caps: tuple = ()  # JointCap lines: limits shared by several of its rules
    grades: ItemGrades | None = None  # `grade by score: …`: grade bands on its own score


def joint_rules(item: ItemDecl, joint: JointCap) -> list[int]:
    """The positions of the item's rules a joint cap limits: its verb's rules, those counting a kind it names."""
    return [
        index
        for index, rule in enumerate(item.rules)
        if rule.verb == joint.verb and (not joint.kinds or any(s.kind in joint.kinds for s in sources_of(rule.amount)))
    ]


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
    """A scored unit: its name, group, (inherited) target, the other names events may use for it, and typed attribute values."""

    name: str
    group: str
    target: Number | None
    aliases: tuple[str, ...] = ()
    span: Span = _span()
    attributes: tuple = ()  # (name, plain value) pairs, group defaults included

    def attribute(self, name: str, default=None):
        if name == "group":
            return self.group
        for key, value in self.attributes:
            if key == name:
                return value
        return default


@attrs.frozen
class GroupDecl:
    """A group of units."""

    name: str
    label: str | None
    target: Number | None
    units: tuple
    span: Span = _span()
    attributes: tuple = ()  # (name, value node) defaults for its units


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
    commend: Commend
    clauses: tuple
    statements: tuple
    fold_scripts: bool = False  # `unit names match across scripts`
    lets: tuple = ()
    item_clauses: tuple = ()  # (clause id, item id): `clause` lines written inside an item cite that item
    language: str | None = None  # `language zh-Hant`, as written
    office: str | None = None
    document_number: str | None = None
    subject: str | None = None
    signature: str | None = None
    period: str | None = None  # `period quarter`: the length of the period one run scores
    periods: tuple = ()  # declared periods (PeriodDecl)
    path: str = attrs.field(default="<rubric>", eq=False)
    attributes: tuple = ()  # Attribute declarations
    units_from: UnitsFrom | None = None
    grades: tuple = ()
    statuses: tuple = ()
    vetoes: tuple = ()
    rank: Rank | None = None
    combine: Combine | None = None
    citations: tuple = attrs.field(default=(), eq=False)  # (Clause, the statement it cites) pairs
    total_floor: TotalFloor | None = None  # `total floor N`
    total_cap: TotalCap | None = None  # `total cap N`
    total_is: TotalIs | None = None  # `total is VALUE`
    headings: tuple = ()  # Heading statements, in order
    requirements: tuple = ()  # Require statements, in order

    @property
    def columns(self) -> dict:
        """Column heading → field (None: not read), as the tabular event sources take it."""
        return {h.text: h.field for h in self.headings}

    @property
    def units(self) -> tuple:
        return tuple(unit for group in self.groups for unit in group.units)

    def all_items(self) -> Iterator[ItemDecl]:
        """Every item and part, depth first."""
        for section in self.sections:
            for item in section.items:
                yield item
                yield from item.parts


# ---- what each expression field holds: the unions every pass dispatches over ---------------------
# (A new node joins its union here; tests/test_passes.py walks every node class through every pass.)
FilterValue = Word | Number | Text | datetime.date
Filter = Compare | In | And | Or | Not
Aggregate = Count | Sum | Latest | Distinct | MonthsWithout | Average | Minimum | Maximum
Value = Number | Aggregate | UnitTarget | UnitTotal | ScoreOf | TableEntry | PeriodCount | NameRef | Arith | Negate | Otherwise
Condition = And | Or | Not | Reached | NoEvent | AggCompare | EveryMonth | ValueCompare | NameRef | UnitIs | MemberVetoed
Countable = Events | DistinctValues | MonthsWithout | MonthsWhere | Shortfall | Steps | FirstPer | SharedPer
Amount = PerEach | PerEachBy | When | Always | ShareOf | Prorated | PointsOf | Tiered | ByRank
Commend = CommendCompletion | CommendTop | None
