"""Static checks of a structured rubric: each check is a small named function in CHECKS."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import attrs

from ..errors import NoCase
from ..i18n import _
from ..suggestions import closest
from . import nodes as n
from .diagnostics import Diagnostic
from .nodes import sources_of, walk

ROUNDING_MODES = ("half_up", "half_even", "down", "up")
BULLETIN_PERIODS = ("monthly", "yearly")
# Every event has these; filters may test them like declared fields.
COMMON_FIELDS = {"id": "text", "unit": "text", "date": "date", "kind": "text", "quantity": "integer"}
ORDER_OPS = ("<", "<=", ">", ">=")


def suggest(name: str, choices) -> str | None:
    """`did you mean …?` text for a probable misspelling, or None."""
    near = closest(name, choices)
    return _("did you mean `{near}`?", near=near) if near else None


class Context:
    """What the checks share: the rubric, its kinds and fields by name, and the findings so far."""

    def __init__(self, rubric: n.Rubric):
        self.rubric = rubric
        self.path = rubric.path
        self.kinds = {k.name: k for k in rubric.kinds}
        self.fields = {k.name: {f.name: f for f in k.fields} for k in rubric.kinds}
        self.attributes = {a.name: a for a in rubric.attributes}
        self.items = {i.item_id: i for i in rubric.all_items()}
        self.diagnostics: list[Diagnostic] = []
        self.statement_kinds: list[str] = []  # the event kinds the expression being checked reads
        self._names: dict | None = None  # known_names, once worked out
        self._names_in_progress = False

    def report(self, span: n.Span, code: str, message: str, hint: str | None = None, severity="error"):
        self.diagnostics.append(
            Diagnostic(self.path, span.line, span.column, code, message, severity, hint, span.end_line, span.end_column)
        )

    def warn(self, span, code, message, hint=None):
        self.report(span, code, message, hint, "warning")

    def field_type(self, kind: str, field: str):
        """The FieldType of `field` on `kind` (common fields included), or None when unknown."""
        if field in COMMON_FIELDS:
            return n.FieldType(COMMON_FIELDS[field])
        declared = self.fields.get(kind, {}).get(field)
        return declared.type if declared else None


# ---- walking rule expressions ----------------------------------------------------------


def rules_with_items(rubric):
    for item in rubric.all_items():
        for rule in item.rules:
            yield item, rule


def scored_statements(rubric):
    """Every rule and every `let`, with the expression it holds: (statement, expression); and every limit given
    as a value (see `value_limits`)."""
    for _item, rule in rules_with_items(rubric):
        yield rule, rule.amount
    for let in rubric.lets:
        yield let, let.body
    yield from value_limits(rubric)


def value_limits(rubric):
    """(statement, value) of every limit written as a value rather than a number: a rule's `at most VALUE`, an
    item's `cap VALUE` or `floor VALUE`, a joint `together at most VALUE`; and the value of `total is VALUE`."""
    for _item, rule in rules_with_items(rubric):
        if rule.cap is not None and not isinstance(rule.cap, n.Number):
            yield rule, rule.cap
        for period_cap in rule.period_caps:
            if not isinstance(period_cap.points, n.Number):
                yield rule, period_cap.points
    for statement in rubric.statements:
        match statement:
            case n.TotalIs():
                yield statement, statement.value
            case n.Cap() | n.Floor() if not isinstance(statement.points, n.Number):
                yield statement, statement.points
            case n.JointCap() if not isinstance(statement.cap, n.Number):
                yield statement, statement.cap
            case _:
                pass


def unit_conditions(rubric):
    """(statement, condition) of every condition outside a rule: `only when` lines, grades, statuses, vetoes."""
    for item in rubric.all_items():
        if item.only_when is not None:
            yield item, item.only_when
    for statement in rubric.grades + rubric.statuses + rubric.vetoes:
        if statement.condition is not None:
            yield statement, statement.condition


def expressions(rubric):
    """(statement with a span, node) of every rule amount and every unit condition: what reads events."""
    for _item, rule in rules_with_items(rubric):
        yield rule, rule.amount
    for let in rubric.lets:
        yield let, let.body
    yield from value_limits(rubric)
    yield from unit_conditions(rubric)
    for item in rubric.all_items():
        if item.scored_per is not None:
            yield item.scored_per, item.scored_per
    if rubric.rank is not None:
        for key in rubric.rank.keys:
            if key.source is not None:
                yield rubric.rank, key
    for requirement in rubric.requirements:  # `require A at least N days after B`: its kinds, filters and key
        yield requirement, requirement


# ---- value and filter checks ----------------------------------------------------------------


def check_value(ctx: Context, span, kind: str, field: str, op: str, value, where: str, ftype=None, code="E303"):
    """A value compared with (or assigned to) a field must fit the field's type (`ftype` when given:
    a unit attribute's declared type, `kind` then names the owner)."""
    ftype = ftype or ctx.field_type(kind, field)
    if ftype is None:
        return

    def wrong_type(hint: str) -> None:
        ctx.report(
            span,
            code,
            _(
                "`{field}` of {kind} is {ftype}, but {where} is {value}",
                field=field,
                kind=kind,
                ftype=describe_type(ftype),
                where=where,
                value=describe_value(value),
            ),
            hint=hint,
        )

    match ftype.name, value:  # a literal is a word, a number, quoted text or a date (grammar `?value`)
        case (("text" | "enum" | "boolean"), _) if op in ORDER_OPS:
            ctx.report(
                span,
                code,
                _("`{field}` is {ftype}; it can only be compared with = or !=", field=field, ftype=describe_type(ftype)),
                hint=_("use = or != (or `in (…)`) for words and text"),
            )
        case "enum", n.Word(name=text) | n.Number(literal=text) | n.Text(value=text):  # quoted: "市政府办公室/市政务公开领导小组"
            choices = [str(c) for c in ftype.choices]
            if text not in choices:
                hint = suggest(text, choices) or _("the choices are: {value}", value=", ".join(choices))
                ctx.report(
                    span,
                    "E302" if code == "E303" else code,
                    _("`{text}` is not a declared value of `{field}` on {kind}", text=text, field=field, kind=kind),
                    hint=hint,
                )
        case "enum", datetime.date():
            wrong_type(_("use one of: {value}", value=", ".join(str(c) for c in ftype.choices)))
        case "boolean", n.Word(name="true" | "false"):
            pass
        case "boolean", n.Word() | n.Number() | n.Text() | datetime.date():
            ctx.report(
                span,
                code,
                _(
                    "`{field}` of {kind} is true or false, but {where} is {value}",
                    field=field,
                    kind=kind,
                    where=where,
                    value=describe_value(value),
                ),
                hint=_("write true or false"),
            )
        case "integer", n.Number() if value.value != value.value.to_integral_value():
            ctx.report(
                span,
                code,
                _(
                    "`{field}` of {kind} is a whole number, but {where} is {literal}",
                    field=field,
                    kind=kind,
                    where=where,
                    literal=value.literal,
                ),
            )
        case ("text", n.Text()) | ("integer" | "decimal", n.Number()) | ("date", datetime.date()):
            pass  # the literal fits the field
        case (("text" | "integer" | "decimal" | "date"), n.Word(name=other)) if ctx.field_type(kind, other) is not None:
            # `goals_for > goals_against`: a filter compares a field with a value; two fields of one event are
            # compared by scoring each event apart, where aggregates see that event alone
            wrong_type(
                _(
                    "`{other}` is another field of {kind}: a filter compares a field with a value. To compare two fields of"
                    " one event, score each event apart and compare there: `scored per id of {kind}, taking the sum` with"
                    " `award … when sum {field} of {kind} {op} sum {other} of {kind}`",
                    other=other,
                    kind=kind,
                    field=field,
                    op=op,
                )
            )
        case (("text" | "integer" | "decimal" | "date"), n.Word() | n.Number() | n.Text() | datetime.date()):
            hint = {
                "text": _('text values are quoted: name = "領導信箱"'),
                "integer": _("write a number"),
                "decimal": _("write a number, or a percentage such as 50%"),
                "date": _("write a date: 2009-06-30"),
            }[ftype.name]
            wrong_type(hint)
        case _:
            raise NoCase(f"the checker's value check (checker.check_value) for a {ftype.name} field", value)


def describe_type(ftype: n.FieldType) -> str:
    if ftype.name == "table":
        return "a table of " + describe_type(ftype.choices[0]).removeprefix("a ")
    if ftype.name == "enum":
        return _("one of {choices}", choices=" | ".join(str(c) for c in ftype.choices))
    names = {
        "text": _("text"),
        "integer": _("a whole number"),
        "decimal": _("a decimal number"),
        "date": _("a date"),
        "boolean": _("true or false"),
    }
    return names[ftype.name]


def describe_value(value) -> str:
    match value:
        case n.Word():
            return _("the word `{name}`", name=value.name)
        case n.Number():
            return _("the number {literal}", literal=value.literal)
        case n.Text():
            return _('the text "{value}"', value=value.value)
        case _:  # a date
            return _("the date {value}", value=value)


def check_field_name(ctx: Context, span, kind: str, field: str) -> bool:
    if kind not in ctx.kinds:
        return False
    if ctx.field_type(kind, field) is None:
        known = list(ctx.fields[kind]) + list(COMMON_FIELDS)
        hint = suggest(field, known) or (_("{kind} has the fields: {value}", kind=kind, value=", ".join(ctx.fields[kind]) or _("(none)")))
        ctx.report(span, "E301", _("event kind `{kind}` has no field `{field}`", kind=kind, field=field), hint=hint)
        return False
    return True


def check_filter(ctx: Context, kind: str, node, fallback_span):
    match node:
        case None:
            return
        case n.Compare():
            if check_field_name(ctx, node.span, kind, node.field):
                check_value(ctx, node.span, kind, node.field, node.op, node.value, _("the value"))
        case n.In():
            if check_field_name(ctx, node.span, kind, node.field):
                for value in node.values:
                    check_value(ctx, node.span, kind, node.field, "=", value, _("a value"))
        case n.UnitIs():  # the event's unit's attribute (`where unit kind = website`)
            check_unit_is(ctx, node, fallback_span)
        case n.And() | n.Or():
            for part in node.parts:
                check_filter(ctx, kind, part, fallback_span)
        case n.Not():
            check_filter(ctx, kind, node.part, fallback_span)
        case _:  # the builder puts nothing else in a filter; the checker reports, it does not crash
            pass


def check_numeric_field(ctx, span, kind, field, what):
    if not check_field_name(ctx, span, kind, field):
        return
    ftype = ctx.field_type(kind, field)
    if ftype.name not in ("integer", "decimal") and not (ftype.name == "enum" and all(str(c).isdigit() for c in ftype.choices)):
        ctx.report(
            span,
            "E303",
            _(
                "{what} needs a numeric field, but `{field}` of {kind} is {ftype}",
                what=what,
                field=field,
                kind=kind,
                ftype=describe_type(ftype),
            ),
            hint=_("declare the field as decimal or integer"),
        )


# ---- the checks ----------------------------------------------------------------------


def check_header(ctx: Context):
    """E403 window ends before it starts; E404 unknown rounding mode; E406 bad precision; E407 unknown bulletin."""
    rubric = ctx.rubric
    if rubric.window and rubric.window.end < rubric.window.start:
        ctx.report(
            rubric.window.span,
            "E403",
            _("the window ends ({end}) before it starts ({start})", end=rubric.window.end, start=rubric.window.start),
            hint=_("write the earlier date first"),
        )
    if rubric.precision.rounding not in ROUNDING_MODES:
        hint = suggest(rubric.precision.rounding, ROUNDING_MODES) or _("use one of: {value}", value=", ".join(ROUNDING_MODES))
        ctx.report(rubric.precision.span, "E404", _("unknown rounding mode `{rounding}`", rounding=rubric.precision.rounding), hint=hint)
    bulletin = next((st for st in rubric.statements if isinstance(st, n.Bulletin)), None)
    for period in rubric.bulletins:
        if period not in BULLETIN_PERIODS:
            hint = suggest(period, BULLETIN_PERIODS) or _("use: {value}", value=", ".join(BULLETIN_PERIODS))
            assert bulletin is not None, "rubric.bulletins come from its bulletin line"
            ctx.report(bulletin.span, "E407", _("unknown bulletin period `{period}`", period=period), hint=hint)
    if not 0 <= rubric.precision.digits <= 6:
        ctx.report(
            rubric.precision.span,
            "E406",
            _("precision {digits} is out of range", digits=rubric.precision.digits),
            hint=_("use 0 to 6 decimal places"),
        )


def check_duplicates(ctx: Context):
    """E201: the same section or item id, unit, group, event kind or field declared twice."""

    def dupes(things, describe):
        seen = {}
        for key, node in things:
            if key in seen:
                ctx.report(
                    node.span,
                    "E201",
                    _("{describe} `{key}` is declared twice (first on line {line})", describe=describe, key=key, line=seen[key].span.line),
                    hint=_("rename or remove one of them"),
                )
            else:
                seen[key] = node

    rubric = ctx.rubric
    dupes(((s.section_id, s) for s in rubric.sections), _("section"))
    dupes(((i.item_id, i) for i in rubric.all_items()), _("item"))
    dupes(((g.name, g) for g in rubric.groups), _("group"))
    dupes(((u.name, u) for u in rubric.units), _("unit"))
    dupes(((k.name, k) for k in rubric.kinds), _("event kind"))
    for kind in rubric.kinds:
        dupes(((f.name, f) for f in kind.fields), _("field of {name}", name=kind.name))


def check_field_declarations(ctx: Context):
    """E305 bad field options (reserved names, empty ranges, defaults that do not fit, options that clash)."""
    for kind in ctx.rubric.kinds:
        for field in kind.fields:
            if field.type.name == "table":
                ctx.report(
                    field.span,
                    "E305",
                    _("`{name}` is a table; an event's field holds a single value", name=field.name),
                    hint=_("tables are unit attributes: attribute NAME: table of decimal"),
                )
                continue
            if field.name in COMMON_FIELDS:
                ctx.report(
                    field.span,
                    "E305",
                    _("`{name}` is a field every event has; it cannot be redeclared", name=field.name),
                    hint=_("the common fields are: {value}", value=", ".join(COMMON_FIELDS)),
                )
                continue
            names = [o.name for o in field.options]
            if "range" in names and field.type.name not in ("integer", "decimal"):
                ctx.report(
                    field.span,
                    "E305",
                    _("`{name}` is {value}; only numbers take a range", name=field.name, value=describe_type(field.type)),
                )
            for option in field.options:
                if option.name == "default":
                    check_value(ctx, field.span, kind.name, field.name, "=", option.args[0], _("its default"))
                elif option.name in ("required_when", "only_when"):
                    if any(isinstance(node, n.UnitIs) for node in walk(option.args[0])):
                        ctx.report(
                            field.span,
                            "E305",
                            _("`{name}` is required or allowed by the event's own fields, not by its unit's attributes", name=field.name),
                            hint=_("test the unit in the rule instead: award 1 for each e where unit kind = county"),
                        )
                        continue
                    check_filter(ctx, kind.name, option.args[0], field.span)
                elif option.name == "range" and option.args[0].value > option.args[1].value:
                    low, high = option.args[0].literal, option.args[1].literal
                    ctx.report(
                        field.span,
                        "E305",
                        _("the range of `{name}` is empty ({low} to {high})", name=field.name, low=low, high=high),
                        hint=_("write the smaller bound first"),
                    )
                elif option.name in ("min", "max") and field.type.name not in ("integer", "decimal"):
                    ctx.report(
                        field.span,
                        "E305",
                        _("`{name}` is {value}; only numbers take `at least`/`at most`", name=field.name, value=describe_type(field.type)),
                    )
            for option in field.options:
                match option.name, option.args:
                    case (("range_when" | "min_when" | "max_when"), (*bounds, condition)):
                        check_conditional_bound(ctx, kind.name, field, option.name, bounds, condition)
            if "required_when" in names and ("optional" in names or "default" in names):
                ctx.report(
                    field.span,
                    "E305",
                    _("`{name}` is both conditionally required and optional", name=field.name),
                    hint=_("`required when` already makes it optional otherwise; drop `optional`/`default`"),
                )


def check_conditional_bound(ctx: Context, kind: str, field: n.Field, option: str, bounds: list, condition) -> None:
    """E305 a bound that holds only `when` a filter does (`at least 7 when category = public_health_hazard`):
    on a number, not empty, and decided by the event's own fields."""
    if field.type.name not in ("integer", "decimal"):
        value = describe_type(field.type)
        if option == "range_when":
            ctx.report(field.span, "E305", _("`{name}` is {value}; only numbers take a range", name=field.name, value=value))
        else:
            ctx.report(field.span, "E305", _("`{name}` is {value}; only numbers take `at least`/`at most`", name=field.name, value=value))
        return
    if option == "range_when" and bounds[0].value > bounds[1].value:
        ctx.report(
            field.span,
            "E305",
            _("the range of `{name}` is empty ({low} to {high})", name=field.name, low=bounds[0].literal, high=bounds[1].literal),
            hint=_("write the smaller bound first"),
        )
    if any(isinstance(node, n.UnitIs) for node in walk(condition)):
        ctx.report(
            field.span,
            "E305",
            _("a bound on `{name}` can depend on the event's own fields, not on its unit's attributes", name=field.name),
            hint=_("bound it by a field of the event: at least 7 when category = public_health_hazard"),
        )
        return
    check_filter(ctx, kind, condition, field.span)


def check_references(ctx: Context):
    """E300 unknown event kinds, E301 unknown fields, E302 undeclared enum values, E303 type mismatches."""
    for rule, expression in expressions(ctx.rubric):
        for source in sources_of(expression):
            if source.kind not in ctx.kinds:
                hint = suggest(source.kind, ctx.kinds) or _("declare it: event {kind}", kind=source.kind)
                ctx.report(source.span, "E300", _("unknown event kind `{kind}`", kind=source.kind), hint=hint)
                continue
            check_filter(ctx, source.kind, source.where, source.span)
        word_compared = {id(node.left) for node in walk(expression) if word_comparison(ctx, node)}
        for node in walk(expression):
            match node:
                case n.Latest() if id(node) in word_compared:
                    continue  # `latest type of inspection = initial`: compared as a word (see word_comparison)
                case n.ValueCompare(left=n.Latest() as latest, right=n.NameRef(name=word)) if id(latest) in word_compared:
                    # word_comparison holds only for `latest … = WORD`
                    check_value(ctx, latest.source.span, latest.source.kind, latest.field, node.op, n.Word(word), _("the value"))
                case n.ScoredPer():
                    check_field_name(ctx, node.source.span, node.source.kind, node.field)
                case n.RankKey(what="countback"):
                    assert node.source is not None and node.field is not None, "the builder gives a countback key both"
                    if check_field_name(ctx, node.source.span, node.source.kind, node.field):
                        ftype = ctx.field_type(node.source.kind, node.field)
                        if ftype.name != "enum":
                            ctx.report(
                                rule.span,
                                "E303",
                                _(
                                    "`countback {field}` needs a field with declared values in order, best first, but it is {ftype}",
                                    field=node.field,
                                    ftype=describe_type(ftype),
                                ),
                                hint=_("declare it as: field {field}: one of 1 | 2 | 3", field=node.field),
                            )
                case _ if type(node) in NUMERIC_AGGREGATES:  # sum, latest, average, min, max: of a numeric field
                    check_numeric_field(ctx, node.source.span, node.source.kind, node.field, f"`{NUMERIC_AGGREGATES[type(node)]}`")
                case n.Distinct() | n.FirstPer() | n.SharedPer():
                    check_field_name(ctx, node.source.span, node.source.kind, node.field)
                case n.KeyedEvents(key=str() as key):  # `… of the same KEY`
                    check_field_name(ctx, node.source.span, node.source.kind, key)
                case n.DistinctValues():
                    if check_field_name(ctx, node.source.span, node.source.kind, node.field) and node.whose:
                        if check_field_name(ctx, node.source.span, node.source.kind, node.whose.field):
                            check_value(ctx, rule.span, node.source.kind, node.whose.field, node.whose.op, node.whose.value, _("the value"))
                case n.EveryMonth() | n.MonthsWhere() | n.Prorated() if isinstance(rule, n.Rule):
                    sides = (node.aggregate,) if isinstance(node, n.Prorated) else (node.left, node.right)
                    if any(isinstance(x, (n.Latest, n.MonthsWithout)) for x in walk(sides)):
                        ctx.report(
                            rule.span,
                            "E303",
                            _("a monthly requirement needs `count`, `sum` or `distinct` in each month"),
                            hint=_("for example: every month count portal_submission >= 100"),
                        )
                case (
                    n.Source() | n.Compare() | n.In() | n.And() | n.Or() | n.Not() | n.UnitIs()
                ):  # the sources and their filters: checked above
                    pass
                case (
                    n.Count()
                    | n.MonthsWithout()
                    | n.Events()
                    | n.KeyedEvents()  # without a key (`of the same …`): reads no field
                    | n.RankKey()  # total or score: reads no field
                    | n.EveryMonth()  # in a condition or a `let`: any aggregate may be compared
                    | n.MonthsWhere()
                    | n.Prorated()
                    | n.ValueCompare()
                    | n.AggCompare()
                    | n.Reached()
                    | n.NoEvent()
                    | n.MemberVetoed()
                    | n.Within()
                    | n.Require()  # its kinds and key: the Sources and KeyedEvents inside it
                    | n.Shortfall()
                    | n.Steps()
                    | n.Whose()  # checked with its DistinctValues
                    | n.Recent()
                    | n.Number()
                    | n.Word()
                    | n.Text()
                    | n.NameRef()
                    | n.PeriodCount()
                    | n.UnitTarget()
                    | n.UnitTotal()
                    | n.ScoreOf()
                    | n.TableEntry()
                    | n.Arith()
                    | n.Negate()
                    | n.Otherwise()
                    | n.PerEach()
                    | n.PerEachBy()  # its rate table: check_rate_table below
                    | n.Rate()
                    | n.When()
                    | n.Always()
                    | n.PointsOf()
                    | n.Tiered()
                    | n.Tier()
                    | n.ShareOf()
                    | n.ByRank()  # its value's aggregates are walked on their own
                    | n.Place()
                ):
                    pass  # names no field of an event kind itself (its parts, walked in turn, may)
                case _:
                    raise NoCase("the checker's field references (checker.check_references)", node)
        if isinstance(expression, n.PerEachBy):
            check_rate_table(ctx, rule)


NUMERIC_AGGREGATES = {n.Sum: "sum", n.Latest: "latest", n.Average: "average", n.Minimum: "min", n.Maximum: "max"}


def check_rate_table(ctx: Context, rule: n.Rule):
    amount = rule.amount
    assert isinstance(amount, n.PerEachBy), "called for a rule whose points are a rate table (`by FIELD`)"
    kind = amount.source.kind
    if kind not in ctx.kinds or not check_field_name(ctx, rule.span, kind, amount.field):
        return
    ftype = ctx.field_type(kind, amount.field)
    if ftype.name != "enum":
        ctx.report(
            rule.span,
            "E303",
            _("`by {field}` needs a field with declared values, but it is {ftype}", field=amount.field, ftype=describe_type(ftype)),
            hint=_("declare it as: field {field}: one of a | b", field=amount.field),
        )
        return
    choices = [str(c) for c in ftype.choices]
    seen = set()
    for rate in amount.rates:
        if rate.value not in choices:
            hint = suggest(rate.value, choices) or _("the choices are: {value}", value=", ".join(choices))
            ctx.report(
                rule.span,
                "E302",
                _("`{value}` is not a declared value of `{field}` on {kind}", value=rate.value, field=amount.field, kind=kind),
                hint=hint,
            )
        if rate.value in seen:
            ctx.report(rule.span, "E201", _("the rate for `{value}` is given twice", value=rate.value), hint=_("keep one of them"))
        seen.add(rate.value)


def check_bases(ctx: Context):
    """E400 item bases that do not add up to their section's; E401 section bases that miss the total."""
    rubric = ctx.rubric
    for section in rubric.sections:
        if section.base is None:
            continue
        item_sum = sum((i.base.value for i in section.items if i.base is not None), Decimal(0))
        if item_sum != section.base.value:
            parts = " + ".join(f"{i.item_id} {i.base.literal}" for i in section.items if i.base is not None) or _("no bases")
            ctx.report(
                section.span,
                "E400",
                _(
                    "section {section_id} declares base {literal}, but its items add up to {item_sum} ({parts})",
                    section_id=section.section_id,
                    literal=section.base.literal,
                    item_sum=item_sum,
                    parts=parts,
                ),
                hint=_("correct an item's base or the section's"),
            )
    if rubric.total is not None:
        total = sum((s.base.value for s in rubric.sections if s.base is not None), Decimal(0))
        if total != rubric.total.points.value:
            ctx.report(
                rubric.total.span,
                "E401",
                _(
                    "the rubric declares total {literal}, but its sections add up to {total}",
                    literal=rubric.total.points.literal,
                    total=total,
                ),
                hint=_("correct a section's base or the total"),
            )


def check_deadlines(ctx: Context):
    """E402: a `reached … by DATE` deadline outside the rubric's window."""
    window = ctx.rubric.window
    if window is None:
        return
    for _item, rule in rules_with_items(ctx.rubric):
        for node in walk(rule.amount):
            if isinstance(node, n.Reached) and node.deadline and not window.start <= node.deadline <= window.end:
                ctx.report(
                    rule.span,
                    "E402",
                    _(
                        "deadline {deadline} is outside the window {start} to {end}",
                        deadline=node.deadline,
                        start=window.start,
                        end=window.end,
                    ),
                    hint=_("a deadline must fall inside the assessment period"),
                )


def check_scales(ctx: Context):
    """E405: a scale without parts, parts without a scale, or an item that has both rules and parts."""
    for section in ctx.rubric.sections:
        for item in section.items:
            if item.scale and not item.parts:
                ctx.report(
                    item.scale.span,
                    "E405",
                    _("item {item_id} has a scale but no parts", item_id=item.item_id),
                    hint=_('add parts under it: part B.2.2.1 "…"'),
                )
            if item.parts and not item.scale:
                ctx.report(
                    item.span,
                    "E405",
                    _("item {item_id} has parts but no scale", item_id=item.item_id),
                    hint=_("add: scale parts from 300 to 10"),
                )
            if item.parts and item.rules:
                ctx.report(
                    item.rules[0].span,
                    "E405",
                    _("item {item_id} scores through its parts; its own rules would be ignored", item_id=item.item_id),
                    hint=_("move the rule into a part"),
                )
            if item.scale and item.scale.raw.value <= 0:
                ctx.report(item.scale.span, "E405", _("a scale's raw total must be above 0"))


def single_award(amount) -> Decimal | None:
    """The points of one award where a rule's amount fixes them (W500 holds a cap against it), or None."""
    match amount:
        case n.PerEach() | n.When() | n.Always():
            return amount.points.value
        case n.PerEachBy(rates=rates) if rates:
            return min(r.points.value for r in rates)
        case n.PerEachBy() | n.PointsOf() | n.Tiered() | n.ShareOf() | n.Prorated() | n.ByRank():
            return None  # no rate listed, or points that depend on the unit's values (or its place)
        case _:
            raise NoCase("the checker's single award (checker.single_award)", amount)


def check_joint_caps(ctx: Context):
    """E300 an unknown kind after `for`; E423 a joint cap that limits no rule; E424 two joint caps sharing a rule;
    E408 a total cap below the total floor; E411 an item's cap below its floor."""
    from .render import render_joint_cap

    for item in ctx.rubric.all_items():
        shared: dict[int, n.JointCap] = {}
        for joint in item.joint_caps:
            unknown = [kind for kind in joint.kinds if kind not in ctx.kinds]
            for kind in unknown:
                hint = suggest(kind, ctx.kinds) or _("declare it: event {kind}", kind=kind)
                ctx.report(joint.span, "E300", _("unknown event kind `{kind}`", kind=kind), hint=hint)
            limited = n.joint_rules(item, joint)
            if not limited and not unknown:
                ctx.report(
                    joint.span,
                    "E423",
                    _(
                        "`{line}` limits no rule: item {item_id} has no `{verb}` rule{kinds}",
                        line=render_joint_cap(joint),
                        item_id=item.item_id,
                        verb=joint.verb,
                        kinds=_(" counting {kinds}", kinds=", ".join(joint.kinds)) if joint.kinds else "",
                    ),
                    hint=_("it limits rules of its own item and verb: name a kind they count after `for`, or move it under their item"),
                )
            for index in limited:
                if index in shared:
                    ctx.report(
                        joint.span,
                        "E424",
                        _(
                            "the rule on line {line} is limited twice: by this line and by `{other}`",
                            line=item.rules[index].span.line,
                            other=render_joint_cap(shared[index]),
                        ),
                        hint=_("one limit per rule: name the kinds of each group after `for` so that the groups do not overlap"),
                    )
                    break
            for index in limited:
                shared.setdefault(index, joint)
    total_is = ctx.rubric.total_is
    if total_is is not None and score_references(total_is.value)[1]:
        ctx.report(
            total_is.span,
            "E431",
            _("these scores depend on each other, so none can be computed first: {cycle}", cycle="total → total"),
            hint=_("`total is` works the total out from items, events and named values: it cannot read the total itself"),
        )
    for item in ctx.rubric.all_items():
        # only bounds written as numbers: a bound given by a value differs by unit
        if isinstance(item.cap, n.Number) and isinstance(item.floor, n.Number) and item.cap.value < item.floor.value:
            ctx.report(
                item.span,
                "E411",
                _(
                    "item {item}: the cap {cap} is below the floor {floor}",
                    item=item.item_id,
                    cap=item.cap.literal,
                    floor=item.floor.literal,
                ),
                hint=_("an item's score can be held between a floor and a cap only when the floor is the lower"),
            )
    floor, cap = ctx.rubric.total_floor, ctx.rubric.total_cap
    if floor is not None and cap is not None and cap.points.value < floor.points.value:
        ctx.report(
            cap.span,
            "E408",
            _("the total cap {cap} is below the total floor {floor}", cap=cap.points.literal, floor=floor.points.literal),
            hint=_("a total can be held between a floor and a cap only when the floor is the lower"),
        )


def check_places(ctx: Context):
    """Points by rank: `within` names `group` or a declared attribute (E306); each place is 1 or more, listed once (E425);
    not in an item scored per sub-entity (E426): a rank places units, and the item's values are a sub-entity's."""
    for item, rule in rules_with_items(ctx.rubric):
        if not isinstance(rule.amount, n.ByRank):
            continue
        amount = rule.amount
        if item.scored_per is not None:
            ctx.report(
                rule.span,
                "E426",
                _(
                    "points by rank in item {item}, which is scored per {field}: a rank places units, not one unit's sub-entities",
                    item=item.item_id,
                    field=item.scored_per.field,
                ),
                hint=_(
                    "rank in an item of its own, on a value of the unit: `bonus by rank of score of {item}: 1 10, 2 8`", item=item.item_id
                ),
            )
        if amount.within is not None:
            check_unit_attribute_name(ctx, rule.span, amount.within, _("`within`"))
        seen: set[int] = set()
        for place in amount.places:
            if place.rank < 1 or place.rank in seen:
                ctx.report(
                    rule.span,
                    "E425",
                    _("place {rank} is listed twice", rank=place.rank)
                    if place.rank in seen
                    else _("there is no place {rank}: places start at 1", rank=place.rank),
                    hint=_("list each place once, best first: 1 10, 2 8, 3 6, otherwise 0"),
                )
            seen.add(place.rank)


def check_caps(ctx: Context):
    """W500: a rule's cap below a single award, so even one event hits it."""
    for _item, rule in rules_with_items(ctx.rubric):
        single = single_award(rule.amount)
        # a cap given as a value (`at most indicator_max of 指标甲`) differs by unit: only a number is compared here
        if isinstance(rule.cap, n.Number) and single is not None and rule.cap.value < single:
            ctx.warn(
                rule.span,
                "W500",
                _("the cap {literal} is below a single award of {single}", literal=rule.cap.literal, single=single),
                hint=_("raise the cap, or lower the points per award"),
            )


class Interval:
    """The values an ordered field may take under a filter: `low`..`high`, each end open or closed (None: unbounded)."""

    def __init__(self, low=None, low_closed=True, high=None, high_closed=True):
        self.low, self.low_closed, self.high, self.high_closed = low, low_closed, high, high_closed

    @classmethod
    def of(cls, op: str, value):
        return {
            "<": cls(high=value, high_closed=False),
            "<=": cls(high=value),
            ">": cls(low=value, low_closed=False),
            ">=": cls(low=value),
            "=": cls(value, True, value, True),
        }.get(op)

    def __and__(self, other: Interval) -> Interval:
        low, low_closed = self.low, self.low_closed
        if other.low is not None and (low is None or other.low > low or (other.low == low and not other.low_closed)):
            low, low_closed = other.low, other.low_closed
        high, high_closed = self.high, self.high_closed
        if other.high is not None and (high is None or other.high < high or (other.high == high and not other.high_closed)):
            high, high_closed = other.high, other.high_closed
        return Interval(low, low_closed, high, high_closed)

    def __bool__(self) -> bool:
        if self.low is None or self.high is None:
            return True
        return self.low < self.high or (self.low == self.high and self.low_closed and self.high_closed)


# The disjunctive form of `(a or b) and (c or d) and …` doubles with each conjunct: 22 such pairs made
# four million terms (75 s, 2.6 GB). Written methods need a few dozen at most; past this many terms the
# filter is left unanalysed (no W501/W502 about it), which costs a warning, never a wrong error.
MAX_TERMS = 256


class TooComplex(Exception):
    """A filter whose disjunctive form would pass MAX_TERMS terms."""


def possible_values(ctx: Context, kind: str, node) -> list[dict]:
    """The filter in disjunctive form: a list of {field: allowed enum values, or an Interval of numbers or dates};
    {} means 'anything'. Used to find filters that match nothing and rules that overlap.
    Raises TooComplex rather than build more than MAX_TERMS terms."""
    match node:
        case None:
            return [{}]
        case n.Compare() | n.In():
            ftype = ctx.field_type(kind, node.field)
            if ftype is not None and ftype.name in ("integer", "decimal", "date") and isinstance(node, n.Compare):
                value = n.plain_value(node.value)
                interval = Interval.of(node.op, value) if isinstance(value, (Decimal, datetime.date)) else None
                return [{node.field: interval}] if interval is not None else [{}]
            if ftype is None or ftype.name != "enum":
                return [{}]
            choices = {str(c) for c in ftype.choices}
            values = [node.value] if isinstance(node, n.Compare) else list(node.values)
            texts = {v.name if isinstance(v, n.Word) else v.value if isinstance(v, n.Text) else getattr(v, "literal", None) for v in values}
            if isinstance(node, n.Compare) and node.op == "!=":
                return [{node.field: choices - texts}]
            if isinstance(node, n.Compare) and node.op != "=":
                return [{}]
            return [{node.field: choices & texts}]
        case n.Or():
            terms = []
            for part in node.parts:
                terms += possible_values(ctx, kind, part)
                if len(terms) > MAX_TERMS:
                    raise TooComplex
            return terms
        case n.And():
            terms = [{}]
            for part in node.parts:
                more = possible_values(ctx, kind, part)
                if len(terms) * len(more) > MAX_TERMS:
                    raise TooComplex
                terms = [merge_terms(a, b) for a in terms for b in more]
            return terms
        case _:  # `not …` and `unit …` filters: anything may pass them
            return [{}]


def merge_terms(a: dict, b: dict) -> dict:
    merged = dict(a)
    for field, values in b.items():
        merged[field] = merged[field] & values if field in merged else values
    return merged


def satisfiable(terms) -> bool:
    return any(all(values for values in term.values()) for term in terms)


def event_terms(ctx, amount):
    """For a per-event rule: its kind and filter terms, each rate value narrowing the `by` field;
    (None, None) for any other rule (W502 compares only awards paid event by event)."""
    match amount:
        case n.PerEach(countable=n.Events(source=source)):
            return source.kind, possible_values(ctx, source.kind, source.where)
        case n.PerEachBy(source=source):
            terms = possible_values(ctx, source.kind, source.where)
            rate_values = {r.value for r in amount.rates}
            return source.kind, [merge_terms(t, {amount.field: rate_values}) for t in terms]
        case n.PerEach(
            countable=n.DistinctValues()
            | n.MonthsWithout()
            | n.MonthsWhere()
            | n.Shortfall()
            | n.Within()
            | n.FirstPer()
            | n.SharedPer()
            | n.Steps()
        ):
            return None, None  # counts something other than the events themselves
        case n.PerEach():
            raise NoCase("the checker's per-event terms (checker.event_terms)", amount.countable)
        case n.When() | n.Always() | n.PointsOf() | n.Tiered() | n.ShareOf() | n.Prorated() | n.ByRank():
            return None, None
        case _:
            raise NoCase("the checker's per-event terms (checker.event_terms)", amount)


def check_never_scores(ctx: Context):
    """W501: an item with a base but no rule that awards points, or a rule whose filter can match nothing."""
    for item in ctx.rubric.all_items():
        if item.base is not None and item.base.value > 0 and not item.parts:
            if not any(rule.verb in ("award", "bonus") for rule in item.rules):
                ctx.warn(
                    item.span,
                    "W501",
                    _("item {item_id} has base {literal} but no rule can award it", item_id=item.item_id, literal=item.base.literal),
                    hint=_("add an `award` rule, or drop the base"),
                )
        for rule in item.rules:
            if any(d.line == rule.span.line and d.severity == "error" for d in ctx.diagnostics):
                continue  # its undeclared names are reported already
            for source in sources_of(rule.amount):
                try:
                    never = source.kind in ctx.kinds and not satisfiable(possible_values(ctx, source.kind, source.where))
                except TooComplex:
                    never = False
                if never:
                    ctx.warn(
                        rule.span,
                        "W501",
                        _("no {kind} event can pass this filter, so the rule never scores", kind=source.kind),
                        hint=(
                            _(
                                "its conditions exclude each other (one field cannot take two values, or lie both below and above a bound); did you mean `or`?"
                            )
                        ),
                    )


def check_overlaps(ctx: Context):
    """W502: two awards of one item that the same event can both satisfy (counted twice)."""
    for item in ctx.rubric.all_items():
        per_event = []
        for rule in item.rules:
            if rule.verb == "deduct":
                continue
            try:
                kind, terms = event_terms(ctx, rule.amount)
            except TooComplex:
                continue
            if kind and kind in ctx.kinds:
                per_event.append((rule, kind, terms))
        for (rule_a, kind_a, terms_a), (rule_b, kind_b, terms_b) in itertools.combinations(per_event, 2):
            if len(terms_a) * len(terms_b) > MAX_TERMS * 16:
                continue  # too many combinations to compare: left unanalysed, like a TooComplex filter
            if kind_a == kind_b and satisfiable(merge_terms(a, b) for a in terms_a for b in terms_b):
                ctx.warn(
                    rule_b.span,
                    "W502",
                    _(
                        "the same {kind_a} event can match this rule and the one on line {line}, and would be counted twice",
                        kind_a=kind_a,
                        line=rule_a.span.line,
                    ),
                    hint=_("narrow one filter so that no event matches both (e.g. add `and column != problems`), or merge the two rules"),
                )


def check_units(ctx: Context):
    """W503: no unit is listed and unlisted units are rejected, so every event would be rejected."""
    rubric = ctx.rubric
    if not rubric.units and rubric.units_from is None and rubric.unlisted == "rejected" and rubric.kinds:
        span = rubric.window.span if rubric.window else n.Span(1, 1, 1, 1)
        ctx.warn(
            span,
            "W503",
            _("no unit is listed and unlisted units are rejected, so every event would be rejected"),
            hint=_('list units (group g "…" then unit "…"), or add: unlisted units are scored apart'),
        )


def check_unit_names(ctx: Context):
    """E208: a name (a unit's own or an alias) that would stand for two listed units, once scripts are folded."""
    from ..engine.units import fold_script

    key = fold_script if ctx.rubric.fold_scripts else (lambda name: name)
    owner: dict[str, n.UnitDecl] = {}
    for unit in ctx.rubric.units:
        for name in (unit.name, *unit.aliases):
            first = owner.setdefault(key(name), unit)
            if first.name == unit.name:
                continue  # the same unit (a twice-listed unit is E201's)
            if name == unit.name and key(first.name) == key(name):
                ctx.report(
                    unit.span,
                    "E208",
                    _(
                        "units `{name}` (line {line}) and `{name2}` are the same name in Simplified characters",
                        name=first.name,
                        line=first.span.line,
                        name2=unit.name,
                    ),
                    hint=_("events for either would be counted for both: rename one, or drop `unit names match across scripts`"),
                )
            else:
                ctx.report(
                    unit.span,
                    "E208",
                    _(
                        "`{name}` would name both `{name2}` (line {line}) and `{name3}`",
                        name=name,
                        name2=first.name,
                        line=first.span.line,
                        name3=unit.name,
                    ),
                    hint=_("an alias stands for one unit only: remove it from one of them"),
                )


# ---- value expressions, named values and conditions ------------------------------------------


def let_names(ctx: Context) -> dict:
    """`let` names: name → ("value" | "condition", the Let)."""
    return {let.name: (expression_type(ctx, let.body, set()), let) for let in ctx.rubric.lets}


# Where names come from. A NameRef resolves to the first source that knows it; each source maps
# name → ("value" | "condition", declaration node). Unit attributes plug in here as another source.
NAME_SOURCES = [let_names]


def known_names(ctx: Context) -> dict:
    if ctx._names is None:
        names: dict = {}
        ctx._names = names
        ctx._names_in_progress = True
        for source in NAME_SOURCES:
            for name, entry in source(ctx).items():
                names.setdefault(name, entry)
    return ctx._names


CONDITION_NODES = n.CONDITION_NODES


def expression_type(ctx: Context, node, seen: set) -> str:
    """Whether an expression is a "value" or a "condition" (a NameRef takes its let's type)."""
    match node:
        case _ if isinstance(node, CONDITION_NODES):  # one tuple, shared with nodes.py: not repeated here
            return "condition"
        case n.NameRef():
            let = next((x for x in ctx.rubric.lets if x.name == node.name), None)
            if let is not None and node.name not in seen:
                return expression_type(ctx, let.body, seen | {node.name})
            return "value"
        case _:
            return "value"


def describe_expression(node) -> str:
    from .render import render_condition

    return f"`{render_condition(node)}`"


def check_expression(ctx: Context, node, want: str, span: n.Span):
    """E320 unknown names; E321 a value where a condition belongs, or the reverse."""
    names = known_names(ctx)
    match node:
        case n.NameRef():
            if node.name not in names:
                kinds = [k for k in ctx.statement_kinds if node.name in ctx.fields.get(k, {})]
                if kinds:  # `reached milestone where task = a and task = b`: the second comparison left its `where`
                    ctx.report(
                        node.span,
                        "E320",
                        _(
                            "unknown name `{name}`: it is a field of {kinds}, but inside a condition `where` takes one comparison",
                            name=node.name,
                            kinds=kinds[0],
                        ),
                        hint=_("wrap several in parentheses: {kinds} where ({name} = a or {name} = b)", kinds=kinds[0], name=node.name),
                    )
                    return
                if node.name == "rank" and "rank" not in names:
                    # a unit's rank orders the totals, after grades, statuses and vetoes: nothing before it can read it
                    hint = _(
                        "a unit's rank comes after its total, grade and status, so no rule, grade, status or veto can read"
                        " it; to name the best units of each group in the year-end bulletin, write `commend top N per group`"
                    )
                    ctx.report(node.span, "E320", _("unknown name `{name}`", name=node.name), hint=hint)
                    return
                hint = suggest(node.name, names) or (
                    _("define it: let {name} = …", name=node.name)
                    if not names
                    else _("the names defined are: {value}", value=", ".join(sorted(names)))
                )
                ctx.report(node.span, "E320", _("unknown name `{name}`", name=node.name), hint=hint)
                return
            kind, _decl = names[node.name]
            if kind != want:
                report_wrong_type(ctx, node.span, node, want)
            return
        case n.And() | n.Or():
            for part in node.parts:
                check_expression(ctx, part, "condition", span)
        case n.Not():
            check_expression(ctx, node.part, "condition", span)
        case _ if word_comparison(ctx, node):
            pass  # checked against the field's declaration by check_references
        case n.ValueCompare():
            before = len(ctx.diagnostics)
            check_expression(ctx, node.left, "value", span)
            if not (isinstance(node.left, n.NameRef) and len(ctx.diagnostics) > before):
                check_expression(ctx, node.right, "value", span)  # `task = b` after a stray field: one finding is enough
        case n.Arith():
            check_expression(ctx, node.left, "value", span)
            check_expression(ctx, node.right, "value", span)
        case n.Negate():
            check_expression(ctx, node.operand, "value", span)
        case n.Otherwise():
            check_expression(ctx, node.value, "value", span)
            check_expression(ctx, node.fallback, "value", span)
        case n.EveryMonth():
            check_expression(ctx, node.left, "value", span)
            check_expression(ctx, node.right, "value", span)
        case n.TableEntry():
            check_table_entry(ctx, node, span)
        case _:  # atoms (aggregates, numbers, targets …) name nothing: only their type is checked, below
            pass
    if want == "value" and isinstance(node, CONDITION_NODES):
        report_wrong_type(ctx, span, node, want)
    elif want == "condition" and not isinstance(node, CONDITION_NODES):
        report_wrong_type(ctx, span, node, want)


def check_table_entry(ctx: Context, node: n.TableEntry, fallback_span: n.Span) -> None:
    """`ATTR of KEY`: ATTR must be a declared unit attribute holding a table of numbers (E323)."""
    span = node.span if node.span.line else fallback_span
    attribute = ctx.attributes.get(node.attribute)
    if attribute is None:
        tables = [a.name for a in ctx.rubric.attributes if a.type.name == "table"]
        hint = suggest(node.attribute, tables) or _("declare it: attribute {name}: table of decimal", name=node.attribute)
        ctx.report(
            span, "E323", _("`{name} of …` reads a unit's table, but no attribute `{name}` is declared", name=node.attribute), hint=hint
        )
    elif attribute.type.name != "table" or attribute.type.choices[0].name not in ("integer", "decimal"):
        ctx.report(
            span,
            "E323",
            _(
                "`{name} of …` reads an entry of a table of numbers, but `{name}` is {ftype}",
                name=node.attribute,
                ftype=describe_type(attribute.type),
            ),
            hint=_("declare it: attribute {name}: table of decimal", name=node.attribute),
        )


def report_wrong_type(ctx: Context, span, node, want: str):
    if want == "condition":
        ctx.report(
            span,
            "E321",
            _("{node} is a value, but a condition belongs here", node=describe_expression(node)),
            hint=_("compare it with something: count adopted >= 10"),
        )
    else:
        ctx.report(
            span,
            "E321",
            _("{node} is a condition, but a value (a number) belongs here", node=describe_expression(node)),
            hint=_("use it after `when`: award 5 when …"),
        )


def expression_slots(statement, expression):
    """(sub-expression, "value" | "condition") pairs a statement's expression must satisfy."""
    if isinstance(statement, n.Let):
        return [(expression, expression_type_free(expression))]
    if not isinstance(statement, n.Rule) or expression is not statement.amount:
        return []  # a limit written as a value (value_limits): check_expressions checks it as a value on its own
    amount = expression
    out = []
    match amount:
        case n.When():
            out.append((amount.condition, "condition"))
        case n.PointsOf():
            out.append((amount.value, "value"))
            if amount.condition is not None:
                out.append((amount.condition, "condition"))
        case n.ByRank():
            out.append((amount.value, "value"))
        case n.Tiered():
            out.append((amount.value, "value"))
            out += [(tier.bound, "value") for tier in amount.tiers]
            out += [(tier.points, "value") for tier in amount.tiers if not isinstance(tier.points, n.Number)]
        case n.PerEach():
            if amount.beyond is not None:
                out.append((amount.beyond, "value"))
            match amount.countable:
                case n.Shortfall(wanted=wanted):
                    out.append((wanted, "value"))
                case n.MonthsWhere(left=left, right=right) | n.Steps(value=left, bound=right):
                    out += [(left, "value"), (right, "value")]
                case n.Events() | n.DistinctValues() | n.MonthsWithout() | n.Within() | n.FirstPer() | n.SharedPer():
                    pass  # counts events or periods: no value expression of its own
                case countable:
                    raise NoCase("the checker's expression slots (checker.expression_slots)", countable)
        case n.PerEachBy() | n.Always() | n.ShareOf() | n.Prorated():
            pass  # a rate table, a fixed number, a share or a proration of an aggregate: no value or condition expression
        case _:
            raise NoCase("the checker's expression slots (checker.expression_slots)", amount)
    return out


def expression_type_free(node) -> str:
    """A let's own type, from its shape (its NameRefs are checked where they are defined)."""
    return "condition" if isinstance(node, CONDITION_NODES) else "value"


def check_expressions(ctx: Context):
    """E320 unknown names, E321 values and conditions swapped, E322 names defined through each other, E420 steps."""
    for statement, expression in scored_statements(ctx.rubric):
        ctx.statement_kinds = [source.kind for source in sources_of(expression)]
        for node, want in expression_slots(statement, expression):
            check_expression(ctx, node, want, statement.span)
        if isinstance(expression, n.PerEach) and isinstance(expression.countable, n.Steps):
            if expression.countable.step.value <= 0:
                ctx.report(
                    statement.span,
                    "E420",
                    _("a step of {literal} never ends; a step must be above 0", literal=expression.countable.step.literal),
                    hint=_("for example: for each full 20% of excess beyond 30%"),
                )
    for statement, limit in value_limits(ctx.rubric):
        ctx.statement_kinds = [source.kind for source in sources_of(limit)]
        check_expression(ctx, limit, "value", statement.span)
    for statement, condition in unit_conditions(ctx.rubric):
        ctx.statement_kinds = [source.kind for source in sources_of(condition)]
        check_expression(ctx, condition, "condition", statement.span)
    check_let_cycles(ctx)
    for statement, expression in scored_statements(ctx.rubric):
        for node in walk(expression):
            if isinstance(node, n.Recent) and isinstance(node.aggregate, n.MonthsWithout):
                plural = node.aggregate.period + "s"
                ctx.report(
                    statement.span,
                    "E422",
                    _(
                        "`{periods} without …` counts the periods scored; it cannot be limited to the last {days} days",
                        periods=plural,
                        days=node.days,
                    ),
                    hint=_("count the events instead: `count KIND in the last 30 days = 0`"),
                )
    for _item, rule in rules_with_items(ctx.rubric):
        if rule.period_caps and not counts_events(rule.amount):
            ctx.report(
                rule.span,
                "E421",
                _("a cap a {period} needs a rule that pays event by event (`for each …`)", period=rule.period_caps[0].period),
                hint=_("cap the whole period instead: , at most 10"),
            )


def counts_events(amount) -> bool:
    """Rules whose points come event by event, dated: they can be capped per week, month, quarter or year."""
    match amount:
        case n.PerEach(countable=n.Events() | n.DistinctValues() | n.FirstPer() | n.SharedPer() | n.Within()):
            return True
        case n.PerEach(countable=n.MonthsWithout() | n.MonthsWhere() | n.Shortfall() | n.Steps()):
            return False  # counts periods or a value's steps, not dated events
        case n.PerEach():
            raise NoCase("the checker's event-by-event test (checker.counts_events)", amount.countable)
        case n.PerEachBy():
            return True
        case n.ShareOf():
            return isinstance(amount.aggregate, n.Sum)  # a share of a sum is paid event by event
        case n.When() | n.Always() | n.PointsOf() | n.Tiered() | n.Prorated() | n.ByRank():
            return False
        case _:
            raise NoCase("the checker's event-by-event test (checker.counts_events)", amount)


def check_let_cycles(ctx: Context):
    """E322: a named value or condition defined (through others) by itself."""
    lets = {let.name: let for let in ctx.rubric.lets}
    uses = {name: [r.name for r in walk(let.body) if isinstance(r, n.NameRef) and r.name in lets] for name, let in lets.items()}
    reported = set()
    for start in lets:
        path = [start]
        stack = [(start, iter(uses[start]))]
        while stack:
            _name, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                stack.pop()
                path.pop()
                continue
            if nxt == start:
                cycle = path + [start]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    ctx.report(
                        lets[start].span,
                        "E322",
                        _("`{start}` is defined through itself: {value}", start=start, value=" → ".join(cycle)),
                        hint=_("a named value or condition must be worked out from events, numbers and other names, never from itself"),
                    )
                continue
            if nxt in path:
                continue
            path.append(nxt)
            stack.append((nxt, iter(uses[nxt])))


def may_be_zero(ctx: Context, node, seen=frozenset()) -> bool:
    """Whether a value can be 0 for some unit (conservative: aggregates and targets can be)."""
    match node:
        case n.Number():
            return node.value == 0
        case n.PeriodCount():
            return False  # scoring starts inside the period, so it has at least one
        case n.Arith():
            if node.op == "+":  # aggregates are never negative, so a sum is 0 only if both terms can be
                return may_be_zero(ctx, node.left, seen) and may_be_zero(ctx, node.right, seen)
            if node.op == "*":
                return may_be_zero(ctx, node.left, seen) or may_be_zero(ctx, node.right, seen)
            if node.op == "/":
                return may_be_zero(ctx, node.left, seen)
            return True
        case n.Negate():
            return may_be_zero(ctx, node.operand, seen)
        case n.Otherwise():
            return may_be_zero(ctx, node.value, seen) or may_be_zero(ctx, node.fallback, seen)
        case n.NameRef():
            let = next((x for x in ctx.rubric.lets if x.name == node.name), None)
            if let is not None and node.name not in seen:
                return may_be_zero(ctx, let.body, seen | {node.name})
            attribute = ctx.attributes.get(node.name)
            if attribute is not None and let is None:
                return not positive_lower_bound(attribute)
            return True
        case _:  # aggregates, targets, totals, scores: conservatively, any of them can be 0
            return True


def positive_lower_bound(attribute: n.Attribute) -> bool:
    """Whether a numeric attribute's declared range starts above 0 (`at least 1`, `from 1 to 5`)."""
    for option in attribute.options:
        if option.name in ("min", "range") and option.args:
            bound = option.args[0]
            if isinstance(bound, n.Number) and bound.value > 0:
                return True
    return False


def optional_attributes_read(ctx: Context, node, seen=frozenset()) -> list[str]:
    """The optional unit attributes (no default) a value reads: for a unit without one, it has no value."""
    found: list[str] = []
    for child in n.walk(node):
        if isinstance(child, n.NameRef):
            let = next((x for x in ctx.rubric.lets if x.name == child.name), None)
            if let is not None and child.name not in seen:
                found += optional_attributes_read(ctx, let.body, seen | {child.name})
            attribute = ctx.attributes.get(child.name)
            if let is None and attribute is not None:
                names = {o.name for o in attribute.options}
                if "optional" in names and "default" not in names and child.name not in found:
                    found.append(child.name)
    return found


def may_have_no_value(ctx: Context, node, seen=frozenset()) -> str | None:
    """Why a value can have none for some unit, outside the left side of an `otherwise` (which says what then):
    a table entry, an optional attribute, `target`, `latest`/`average`/`min`/`max` of no events; None if it always
    has one (divisions by 0 are W520's)."""
    from .render import render_expr

    match node:
        case n.Otherwise():
            return may_have_no_value(ctx, node.fallback, seen)
        case n.TableEntry():
            return _("the unit's table may have no entry {key}", key=node.key)
        case n.UnitTarget():
            return _("a unit may have no target")
        case n.Latest() | n.Average() | n.Minimum() | n.Maximum():
            return _("`{value}` of no events has none", value=render_expr(node))
        case n.NameRef():
            let = next((x for x in ctx.rubric.lets if x.name == node.name), None)
            if let is not None:
                return None if node.name in seen else may_have_no_value(ctx, let.body, seen | {node.name})
            if optional_attributes_read(ctx, node):
                return _("`{name}` is optional", name=node.name)
            return None
        case n.Arith():
            return may_have_no_value(ctx, node.left, seen) or may_have_no_value(ctx, node.right, seen)
        case n.Negate():
            return may_have_no_value(ctx, node.operand, seen)
        case _:
            return None


def check_limits_without_value(ctx: Context):
    """W522: a cap or floor given by a value that can have none for a unit, which then is not limited at all."""
    from .render import render_expr

    for statement, value in value_limits(ctx.rubric):
        if isinstance(statement, n.TotalIs):
            continue  # a total with no value is no score, which explain says
        why = may_have_no_value(ctx, value)
        if why is not None:
            ctx.warn(
                statement.span,
                "W522",
                _(
                    "`{value}` can have no value for a unit ({why}), and then it limits nothing",
                    value=render_expr(value),
                    why=why,
                ),
                hint=_("if the document gives such a unit a limit, say it: add `otherwise N` (for example `otherwise 10`)"),
            )


def unguarded_divisions(node, guarded=False):
    """Divisions not inside the left side of an `otherwise` (which says what a zero denominator means).

    A walk, not a dispatch: only `otherwise` and `/` matter, every other node is looked through (its
    children walked), so a new node class needs no case here and there is nothing to fall through to."""
    match node:
        case n.Otherwise():
            yield from unguarded_divisions(node.value, True)
            yield from unguarded_divisions(node.fallback, guarded)
        case tuple() | list():
            for child in node:
                yield from unguarded_divisions(child, guarded)
        case n.Arith(op="/") if not guarded:
            yield node
            yield from unguarded_divisions((node.left, node.right), guarded)
        case _ if attrs.has(type(node)):
            for attribute in attrs.fields(type(node)):
                if attribute.name != "span":
                    yield from unguarded_divisions(getattr(node, attribute.name), guarded)
        case _:  # a literal's value, a name, a date: no division inside
            pass


def check_division_by_zero(ctx: Context):
    """W520: a division whose denominator can be 0 for some unit, with no `otherwise` to say what that means."""
    from .render import render_expr

    for statement, expression in scored_statements(ctx.rubric):
        for division in unguarded_divisions(expression):
            if may_be_zero(ctx, division.right):
                ctx.warn(
                    statement.span,
                    "W520",
                    _(
                        "`{value}` can be 0 for a unit, and then `{division}` has no value (a comparison with it does not hold; points equal to it are 0)",
                        value=render_expr(division.right),
                        division=render_expr(division),
                    ),
                    hint=_("if that is not what the document means, say it: add `otherwise 0` (or another number) after the division"),
                )
            elif absent := optional_attributes_read(ctx, division.right):
                # it cannot be 0 (`at least 1`), but an optional attribute can be missing: say that, not "0"
                ctx.warn(
                    statement.span,
                    "W520",
                    _(
                        "`{value}` can be absent for a unit (`{name}` is optional), and then `{division}` has no value (a comparison with it does not hold; points equal to it are 0)",
                        value=render_expr(division.right),
                        name=absent[0],
                        division=render_expr(division),
                    ),
                    hint=_("if that is not what the document means, say it: add `otherwise 0` (or another number) after the division"),
                )


def check_rate_coverage(ctx: Context):
    """W521: a `by FIELD:` rate list that leaves out a declared value, so such events silently score 0."""
    for _item, rule in rules_with_items(ctx.rubric):
        amount = rule.amount
        if not isinstance(amount, n.PerEachBy) or amount.source.kind not in ctx.kinds:
            continue
        ftype = ctx.field_type(amount.source.kind, amount.field)
        if ftype is None or ftype.name != "enum":
            continue
        allowed = set()
        for term in possible_values(ctx, amount.source.kind, amount.source.where):
            if not all(values for values in term.values()):
                continue
            values = term.get(amount.field)
            allowed |= {str(c) for c in ftype.choices} if values is None else set(values)
        missing = [str(c) for c in ftype.choices if str(c) in allowed and str(c) not in {r.value for r in amount.rates}]
        if missing:
            shown = ", ".join(f"`{m}`" for m in missing)
            ctx.warn(
                rule.span,
                "W521",
                _(
                    "`by {field}` gives no rate for {shown}, so such {kind} events score 0 here",
                    field=amount.field,
                    shown=shown,
                    kind=amount.source.kind,
                ),
                hint=_("if that is meant, say so: add `{missing} 0`; otherwise add its rate", missing=missing[0]),
            )


def check_headings(ctx: Context):
    """E201 a heading declared twice; E301 a heading given a field no event kind has."""
    seen: dict[str, n.Heading] = {}
    known = set(COMMON_FIELDS) | {field for fields in ctx.fields.values() for field in fields}
    for heading in ctx.rubric.headings:
        if heading.text in seen:
            first = seen[heading.text].span.line
            ctx.report(
                heading.span,
                "E201",
                _("heading `{text}` is declared twice (first on line {first})", text=heading.text, first=first),
                hint=_("keep one of them"),
            )
            continue
        seen[heading.text] = heading
        if heading.field is not None and heading.field not in known:
            hint = suggest(heading.field, sorted(known)) or _("the fields are: {value}", value=", ".join(sorted(known)))
            ctx.report(
                heading.span,
                "E301",
                _("no event kind has a field `{field}` for heading `{text}`", field=heading.field, text=heading.text),
                hint=hint,
            )


NUMBER_FIELDS = ("year", "month", "number")


def check_bulletin_lines(ctx: Context):
    """E409 unknown `language`; E410 a document number pattern with a placeholder other than {year}, {month}, {number}."""
    import string

    from ..i18n import LANGUAGES

    for st in ctx.rubric.statements:
        # A selection, not a dispatch: only these two lines say something to check here, so the other
        # statements pass by on purpose (formatter.render_statement is the statements' exhaustive pass).
        match st:
            case n.Language(tag=tag) if tag not in LANGUAGES:
                hint = suggest(tag, LANGUAGES) or _("use: {value}", value=", ".join(LANGUAGES))
                ctx.report(st.span, "E409", _("unknown language `{tag}`", tag=tag), hint=hint)
            case n.DocumentNumber(pattern=pattern):
                try:
                    fields = [name for _text, name, _spec, _conversion in string.Formatter().parse(pattern) if name is not None]
                except ValueError:
                    fields = ["{"]
                wrong = [name for name in fields if name not in NUMBER_FIELDS]
                if wrong:
                    ctx.report(
                        st.span,
                        "E410",
                        _("the document number can use {{year}}, {{month}} and {{number}}, not `{{{wrong}}}`", wrong=wrong[0]),
                        hint=_('for example: document number "達市府辦信〔{year}〕{number}號"'),
                    )
            case _:
                pass


# ---- units: attributes, outcomes, score references ------------------------------------------

UNIT_PSEUDO_ATTRIBUTES = ("group",)  # every unit has these without a declaration


def check_unit_attribute_name(ctx: Context, span, name: str, where: str) -> bool:
    """E306: `name` must be a declared unit attribute (or `group`)."""
    if name in ctx.attributes or name in UNIT_PSEUDO_ATTRIBUTES:
        return True
    declared = list(ctx.attributes)
    hint = suggest(name, declared + list(UNIT_PSEUDO_ATTRIBUTES)) or (
        _("declare it: attribute {name}: text", name=name)
        if not declared
        else _("the declared attributes are: {value}", value=", ".join(declared))
    )
    ctx.report(span, "E306", _("{where} names the unit attribute `{name}`, which is not declared", where=where, name=name), hint=hint)
    return False


def check_attributes(ctx: Context):
    """E305 bad attribute declarations; E306 undeclared attributes on units and groups;
    E307 attribute values that do not fit the declaration, or required ones missing."""
    reserved = ("group", "target", "unit", "name", "id", "note")
    seen: dict = {}
    for attribute in ctx.rubric.attributes:
        if attribute.name in reserved:
            ctx.report(
                attribute.span,
                "E305",
                _("`{name}` is part of every unit's row; it cannot be declared as an attribute", name=attribute.name),
                hint=_("the reserved names are: {value}", value=", ".join(reserved)),
            )
        if attribute.name in seen:
            ctx.report(
                attribute.span,
                "E201",
                _("attribute `{name}` is declared twice (first on line {line})", name=attribute.name, line=seen[attribute.name].span.line),
                hint=_("rename or remove one of them"),
            )
        seen.setdefault(attribute.name, attribute)
        for option in attribute.options:
            if option.name == "default":
                check_value(ctx, attribute.span, _("units"), attribute.name, "=", option.args[0], _("its default"), attribute.type, "E307")
            elif option.name not in ("optional", "range", "min", "max"):
                ctx.report(attribute.span, "E305", _("a unit attribute takes `optional`, `default`, `from … to`, `at least` or `at most`"))
    for st in ctx.rubric.statements:
        # A selection, not a dispatch: unit and group lines are the statements that carry attribute values.
        match st:
            case n.Group():
                owner = _("group `{name}`", name=st.name)
            case n.Unit():
                owner = _("unit `{name}`", name=st.name)
            case _:
                continue
        for name, value in st.attributes:
            if check_unit_attribute_name(ctx, st.span, name, owner):
                if name in ctx.attributes and ctx.attributes[name].type.name == "table":
                    ctx.report(
                        st.span,
                        "E307",
                        _("`{name}` is a table; give it in a unit table file or a test case's rows, not on the unit line", name=name),
                        hint=_('units from "units.yaml"'),
                    )
                elif name in ctx.attributes:
                    check_value(ctx, st.span, _("units"), name, "=", value, _("the value"), ctx.attributes[name].type, "E307")
    for unit in ctx.rubric.units:
        have = {name for name, _value in unit.attributes}
        if have - set(ctx.attributes):
            continue  # a misspelt attribute is reported already (E306); "missing" would say it twice
        for attribute in ctx.rubric.attributes:
            options = {o.name for o in attribute.options}
            if attribute.name not in have and not options & {"optional", "default"}:
                ctx.report(
                    unit.span,
                    "E307",
                    _("unit `{name}` has no `{name2}`, which every unit needs", name=unit.name, name2=attribute.name),
                    hint=_("add: with {name} …, or declare the attribute `optional` or with a `default`", name=attribute.name),
                )


def score_references(node):
    """Item ids an expression reads the score of, and whether it reads the total."""
    items = [(child.item, child.span) for child in walk(node) if isinstance(child, n.ScoreOf)]
    total = any(isinstance(child, n.UnitTotal) for child in walk(node))
    return items, total


def word_comparison(ctx: Context, node) -> bool:
    """`latest FIELD of KIND = WORD` where FIELD holds words (an enum, text or true/false): the bare word
    on the right is a value of the field, not a name. (Values of numeric fields compare as numbers.)"""
    if not (isinstance(node, n.ValueCompare) and isinstance(node.left, n.Latest) and isinstance(node.right, n.NameRef)):
        return False
    if node.right.name in known_names(ctx):
        return False
    ftype = ctx.field_type(node.left.source.kind, node.left.field)
    return ftype is not None and ftype.name in ("enum", "text", "boolean")


def attribute_names(ctx: Context) -> dict:
    """Numeric unit attributes as names in value expressions (`quarterly_target * 2`)."""
    return {a.name: ("value", a) for a in ctx.rubric.attributes if a.type.name in ("integer", "decimal")}


NAME_SOURCES.append(attribute_names)


def total_needs(rubric) -> list:
    """The items the unit's total is worked out from: those counted in it, or with `total is VALUE` the items the
    value reads."""
    if rubric.total_is is not None:
        return [item_id for item_id, _span in score_references(rubric.total_is.value)[0]]
    return [i.item_id for s in rubric.sections for i in s.items if i.in_total]


def item_dependencies(rubric) -> dict:
    """item id → the item ids its score needs first (its `only when` references; the total stands for every counted
    item, or for the items `total is` reads)."""
    counted = total_needs(rubric)
    needs: dict = {}
    for item in rubric.all_items():
        refs: list = []
        conditions = [item.only_when, item.cap, item.floor] + [rule.amount for rule in item.rules] + [rule.cap for rule in item.rules]
        conditions += [joint.cap for joint in item.joint_caps] + [c.points for rule in item.rules for c in rule.period_caps]
        for condition in conditions:
            if condition is None:
                continue
            items, total = score_references(condition)
            refs += [item_id for item_id, _span in items]
            if total:
                refs += counted
        needs[item.item_id] = refs
    return needs


def evaluation_order(rubric) -> tuple[list, list]:
    """Items in an order where every score is known before it is read; and the cycles found (lists of ids)."""
    needs = item_dependencies(rubric)
    order: list = []
    state: dict = {}
    cycles: list = []

    def visit(item_id, path):
        if state.get(item_id) == "done":
            return
        if state.get(item_id) == "visiting":
            cycles.append(path[path.index(item_id) :] + [item_id])
            return
        state[item_id] = "visiting"
        for dep in needs.get(item_id, ()):
            if dep in needs:
                visit(dep, path + [item_id])
        state[item_id] = "done"
        order.append(item_id)

    for item_id in needs:
        visit(item_id, [])
    return order, cycles


def check_score_references(ctx: Context):
    """E430 a score reference to an unknown item; E431 items whose scores depend on each other in a cycle."""
    for statement, condition in unit_conditions(ctx.rubric):
        for item_id, span in score_references(condition)[0]:
            if item_id not in ctx.items:
                hint = suggest(item_id, ctx.items) or _("the items are: {value}", value=", ".join(ctx.items) or _("(none)"))
                ctx.report(
                    span if span.line else statement.span,
                    "E430",
                    _("`score of {item_id}`: there is no item {item_id}", item_id=item_id),
                    hint=hint,
                )
    for rule, expression in [(rule, rule.amount) for _item, rule in rules_with_items(ctx.rubric)] + list(value_limits(ctx.rubric)):
        for item_id, span in score_references(expression)[0]:
            if item_id not in ctx.items:
                hint = suggest(item_id, ctx.items) or _("the items are: {value}", value=", ".join(ctx.items) or _("(none)"))
                ctx.report(
                    span if span.line else rule.span,
                    "E430",
                    _("`score of {item_id}`: there is no item {item_id}", item_id=item_id),
                    hint=hint,
                )
    _order, cycles = evaluation_order(ctx.rubric)
    reported = set()
    for cycle in cycles:
        key = frozenset(cycle)
        if key in reported:
            continue
        reported.add(key)
        item = ctx.items[cycle[0]]
        ctx.report(
            item.span,
            "E431",
            _("these scores depend on each other, so none can be computed first: {cycle}", cycle=" → ".join(cycle)),
            hint=_(
                "an item cannot read its own score, or the total it is counted in; mark one `not in the total`, or read an earlier item"
            ),
        )


def check_unit_is(ctx: Context, node: n.UnitIs, fallback_span) -> None:
    """`unit ATTR op VALUE`: a declared attribute (E306), a value that fits it (E307)."""
    span = node.span if node.span.line else fallback_span
    if check_unit_attribute_name(ctx, span, node.attribute, "the condition") and node.attribute in ctx.attributes:
        values = node.value if isinstance(node.value, tuple) else (node.value,)  # `in` lists its values
        for value in values:
            op = node.op if node.op != "in" else "="
            check_value(ctx, span, _("units"), node.attribute, op, value, _("the value"), ctx.attributes[node.attribute].type, "E307")


def check_unit_outcomes(ctx: Context):
    """E306 unit attributes named in conditions, `rank within`, `combine members by`; E432 a veto that
    does not fix the total, or `any member vetoed` without `combine members`."""
    rubric = ctx.rubric
    for statement, condition in unit_conditions(rubric):
        for node in walk(condition):
            if isinstance(node, n.UnitIs):
                check_unit_is(ctx, node, statement.span)
            elif isinstance(node, n.MemberVetoed) and rubric.combine is None:
                ctx.report(
                    statement.span,
                    "E432",
                    _("`any member vetoed` needs members: no `combine members by …` line says which units are whose"),
                    hint=_("add: combine members by parent: sum"),
                )
    for veto in rubric.vetoes:
        if not veto.no_score and veto.score is None:
            ctx.report(
                veto.span,
                "E432",
                _("a veto must fix the total: say `no score` or `score N`"),
                hint=_("for example: veto when …: no score, grade {value}", value=veto.grade or "不合格"),
            )
    if isinstance(rubric.commend, n.CommendTop) and rubric.commend.per_attribute:
        check_unit_attribute_name(ctx, rubric.commend.span, rubric.commend.per_attribute, "`commend top … per`")
    if rubric.rank is not None and rubric.rank.within:
        check_unit_attribute_name(ctx, rubric.rank.span, rubric.rank.within, "`rank within`")
    if rubric.rank is not None:
        for key in rubric.rank.keys:
            if key.what == "score" and key.item not in ctx.items:
                hint = suggest(key.item, ctx.items) or _("the items are: {value}", value=", ".join(ctx.items) or _("(none)"))
                ctx.report(rubric.rank.span, "E430", _("`score of {item}`: there is no item {item}", item=key.item), hint=hint)
    if rubric.combine is not None:
        check_unit_attribute_name(ctx, rubric.combine.span, rubric.combine.attribute, "`combine members by`")


def check_item_grades(ctx: Context):
    """W504 a band of `grade by score: …` that no score can reach: the bands before it already take every score it would."""
    for item in ctx.rubric.all_items():
        if item.grades is None:
            continue
        bands = item.grades.bands
        numbers = sorted({band.number.value for band in bands if band.number is not None})
        # scores where a band can start or stop holding: each number, either side of it, and beyond them all
        gaps = [b - a for a, b in itertools.pairwise(numbers)]
        step = min(gaps) / 2 if gaps else Decimal(1)
        probes = [x for v in numbers for x in (v - step, v, v + step)] or [Decimal(0)]
        for index, band in enumerate(bands):
            reached = [p for p in probes if band.holds(p) and not any(earlier.holds(p) for earlier in bands[:index])]
            if not reached:
                label = band.label if band.label is not None else "none"
                ctx.warn(
                    item.grades.span,
                    "W504",
                    _(
                        "item {item}: grade {label} is never given: the bands before it take every score it would",
                        item=item.item_id,
                        label=label,
                    ),
                    hint=_("grades are tried in order: put the stricter band first (A when >= 90, B when >= 75, …)"),
                )


CHECKS = (
    check_header,
    check_headings,
    check_duplicates,
    check_field_declarations,
    check_references,
    check_bases,
    check_deadlines,
    check_scales,
    check_caps,
    check_joint_caps,
    check_places,
    check_never_scores,
    check_overlaps,
    check_units,
    check_unit_names,
    check_expressions,
    check_division_by_zero,
    check_limits_without_value,
    check_rate_coverage,
    check_bulletin_lines,
    check_attributes,
    check_score_references,
    check_unit_outcomes,
    check_item_grades,
)


def check(rubric: n.Rubric) -> list[Diagnostic]:
    """Run every check and return all findings, errors and warnings, in source order."""
    ctx = Context(rubric)
    for run in CHECKS:
        run(ctx)
    return sorted(ctx.diagnostics, key=lambda d: (d.line, d.column, d.code))
