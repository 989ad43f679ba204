"""Node rendering: AST expressions (values, filters, sources, aggregates, conditions, amounts, rules) as rubric text.

Below both the formatter (`fmt`) and the engine, which quotes rule and condition text in scorecards.
"""

from __future__ import annotations

import datetime
import re

from ..errors import NoCase
from . import nodes as n


def quote(text: str) -> str:
    """The literal that `builder.unquote` reads back as `text`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def render_value(value: object) -> str:
    match value:
        case n.Word():
            return value.name
        case n.Number():
            return value.literal
        case n.Text():
            return quote(value.value)
        case datetime.date():
            return value.isoformat()
    return str(value)


def render_filter(node: object, top: bool = True) -> str:
    match node:
        case n.Compare():
            return f"{node.field} {node.op} {render_value(node.value)}"
        case n.In():
            return f"{node.field} in ({', '.join(render_value(v) for v in node.values)})"
        case n.UnitIs():
            return render_condition(node)
        case n.And() | n.Or():
            word = " and " if isinstance(node, n.And) else " or "
            text = word.join(render_filter(p, False) for p in node.parts)
            return text if top else f"({text})"
        case n.Not():
            return f"not {render_filter(node.part, False)}"
        case _:
            raise NoCase("the filter renderer (render.render_filter)", node)


def render_source(source: n.Source, simple: bool = False) -> str:
    if source.where is None:
        return source.kind
    where = render_filter(source.where, top=not simple)
    if simple and isinstance(source.where, (n.And, n.Or)) and not where.startswith("("):
        where = f"({where})"
    return f"{source.kind} where {where}"


def render_aggregate(node: object) -> str:
    match node:
        case n.Count():
            return f"count {render_source(node.source, True)}"
        case n.MonthsWithout():
            return f"{PERIOD_WORDS[node.period]} without {render_source(node.source, True)}"
        case n.Sum() | n.Latest() | n.Distinct() | n.Average() | n.Minimum() | n.Maximum():
            return f"{AGGREGATE_WORDS[type(node)]} {node.field} of {render_source(node.source, True)}"
        case _:
            raise NoCase("the aggregate renderer (render.render_aggregate)", node)


AGGREGATE_WORDS: dict[type, str] = {
    n.Sum: "sum",
    n.Latest: "latest",
    n.Distinct: "distinct",
    n.Average: "average",
    n.Minimum: "min",
    n.Maximum: "max",
}
# Binding strength of value operators: a child is parenthesised only where its own binds looser.
PRECEDENCE = {"otherwise": 1, "+": 2, "-": 2, "*": 3, "/": 3, "negate": 4}
ATOM_PRECEDENCE = 5
PERIOD_WORDS = {"week": "weeks", "month": "months", "quarter": "quarters", "year": "years", "day": "days"}


def _precedence(node: object) -> int:
    match node:
        case n.Arith():
            return PRECEDENCE[node.op]
        case n.Otherwise():
            return PRECEDENCE["otherwise"]
        case n.Negate():
            return PRECEDENCE["negate"]
        case n.And() | n.Or() | n.Not() | n.ValueCompare() | n.AggCompare() | n.Reached() | n.NoEvent() | n.EveryMonth():
            return 0  # a condition inside a value always takes parentheses
    return ATOM_PRECEDENCE


def render_expr(node: object) -> str:
    """A value expression as canonical text: ASCII operators, parentheses only where needed."""
    match node:
        case n.Number():
            return node.literal
        case n.Count() | n.Sum() | n.Latest() | n.Distinct() | n.MonthsWithout() | n.Average() | n.Minimum() | n.Maximum():
            return render_aggregate(node)
        case n.Recent():
            return f"{render_aggregate(node.aggregate)} in the last {node.days} days"
        case n.UnitTarget():
            return "target"
        case n.UnitTotal():
            return "total"
        case n.ScoreOf():
            return f"score of {node.item}"
        case n.TableEntry():
            return f"{node.attribute} of {render_choice(node.key)}"
        case n.PeriodCount():
            return PERIOD_WORDS[node.period]
        case n.NameRef():
            return node.name
        case n.Negate():
            return "-" + _operand(node.operand, PRECEDENCE["negate"], right=False)
        case n.Arith():
            own = PRECEDENCE[node.op]
            return f"{_operand(node.left, own, False)} {node.op} {_operand(node.right, own, True)}"
        case n.Otherwise():
            own = PRECEDENCE["otherwise"]
            return f"{_operand(node.value, own, False)} otherwise {_operand(node.fallback, own, True)}"
        case _ if isinstance(node, n.CONDITION_NODES):  # a condition inside a value
            return f"({render_condition(node)})"
        case _:
            raise NoCase("the value renderer (render.render_expr)", node)


def _operand(node: object, parent: int, right: bool) -> str:
    text = render_expr(node)
    own = _precedence(node)
    # `a - (b - c)` and `a / (b / c)` keep their parentheses: a right operand of equal strength needs them.
    if own < parent or (right and own == parent) or (own == 0 and not text.startswith("(")):
        return f"({text})"
    return text


def render_condition(node: object, top: bool = True) -> str:
    match node:
        case n.Reached():
            by = f" by {node.deadline.isoformat()}" if node.deadline else ""
            return f"reached {render_source(node.source, True)}{by}"
        case n.NoEvent():
            return f"no {render_source(node.source, True)}"
        case n.AggCompare():
            return f"{render_aggregate(node.aggregate)} {node.op} {node.number.literal}"
        case n.ValueCompare():
            return f"{render_expr(node.left)} {node.op} {render_expr(node.right)}"
        case n.UnitIs(op="in"):
            values: tuple[object, ...] = node.value  # type: ignore[assignment]  # `in` takes a tuple
            return f"unit {node.attribute} in ({', '.join(render_value(v) for v in values)})"
        case n.UnitIs():
            return f"unit {node.attribute} {node.op} {render_value(node.value)}"
        case n.MemberVetoed():
            return "any member vetoed"
        case n.EveryMonth():
            return f"every {node.period} {render_expr(node.left)} {node.op} {render_expr(node.right)}"
        case n.And() | n.Or():
            word = " and " if isinstance(node, n.And) else " or "
            text = word.join(render_condition(p, False) for p in node.parts)
            return text if top else f"({text})"
        case n.Not():
            return f"not {render_condition(node.part, False)}"
        case _:  # a named condition (NameRef), or a value where a condition belongs; render_expr names anything else
            return render_expr(node)


def render_countable(node: object) -> str:
    match node:
        case n.Events():
            return render_source(node.source)
        case n.DistinctValues():
            whose = ""
            if node.whose:
                whose = f" whose latest {node.whose.field} {node.whose.op} {render_value(node.whose.value)}"
            return f"distinct {node.field} of {render_source(node.source)}{whose}"
        case n.MonthsWithout():
            return f"{node.period} without {render_source(node.source)}"
        case n.MonthsWhere():
            return f"{node.period} where {render_expr(node.left)} {node.op} {render_expr(node.right)}"
        case n.Shortfall():
            each = f" a {node.period}" if node.period is not None else ""
            return f"{render_source(node.source)} short of {render_expr(node.wanted)}{each}"
        case n.Within():
            same = f" of the same {node.other.key}" if node.other.key else ""
            if node.without:
                return f"{render_source(node.subject.source)} without {render_source(node.other.source)}{same} within {node.days} days"
            return f"{render_source(node.subject.source)} within {node.days} days after {render_source(node.other.source)}{same}"
        case n.FirstPer():
            return f"{'first' if node.first else 'later'} {render_source(node.source)} per {node.field}"
        case n.SharedPer():
            return f"{render_source(node.source)} shared per {node.field}"
        case n.Steps():
            full = "full " if node.whole else ""
            return f"{full}{node.step.literal} of {render_expr(node.value)} {node.direction} {render_expr(node.bound)}"
        case _:
            raise NoCase("the countable renderer (render.render_countable)", node)


def render_amount(amount: object) -> str:
    match amount:
        case n.PerEach():
            beyond = f" beyond {render_expr(amount.beyond)}" if amount.beyond is not None else ""
            return f"{amount.points.literal} for each {render_countable(amount.countable)}{beyond}"
        case n.PerEachBy():
            rates = ", ".join(f"{render_choice(r.value)} {r.points.literal}" for r in amount.rates)
            return f"for each {render_source(amount.source)} by {amount.field}: {rates}"
        case n.When():
            return f"{amount.points.literal} when {render_condition(amount.condition)}"
        case n.Always():
            return amount.points.literal
        case n.PointsOf():
            when = f" when {render_condition(amount.condition)}" if amount.condition is not None else ""
            return render_expr(amount.value) + when
        case n.Tiered():
            tiers = [f"{render_expr(t.points)} when {t.op} {render_expr(t.bound)}" for t in amount.tiers]
            if amount.otherwise is not None:
                tiers.append(f"otherwise {amount.otherwise.literal}")
            return f"by {render_expr(amount.value)}: {', '.join(tiers)}"
        case n.ByRank():
            order = " lowest first" if amount.lowest_first else ""
            within = f" within {amount.within}" if amount.within else ""
            ties = ", ties split" if amount.ties == "split" else ""
            places = [f"{p.rank} {p.points.literal}" for p in amount.places]
            if amount.otherwise is not None:
                places.append(f"otherwise {amount.otherwise.literal}")
            return f"by rank of {render_expr(amount.value)}{order}{within}{ties}: {', '.join(places)}"
        case n.ShareOf():
            return f"{amount.factor.literal} of {render_aggregate(amount.aggregate)}"
        case n.Prorated():
            where = f"{render_aggregate(amount.aggregate)} {amount.op} {amount.number.literal}"
            return f"{amount.points.literal} prorated over months where {where}"
        case _:
            raise NoCase("the amount renderer (render.render_amount)", amount)


def render_rule(rule: n.Rule) -> str:
    caps = [f"{render_expr(c.points)} a {c.period}" for c in rule.period_caps]
    if rule.cap is not None:
        caps.append(render_expr(rule.cap))
    cap = f", at most {' and '.join(caps)}" if caps else ""
    return f"{rule.verb} {render_amount(rule.amount)}{cap}"


def render_joint_cap(joint: n.JointCap) -> str:
    """`bonus for commended and instructed together at most 10`."""
    kinds = f" for {' and '.join(joint.kinds)}" if joint.kinds else ""
    return f"{joint.verb}{kinds} together at most {render_expr(joint.cap)}"


def render_band(band: n.GradeBand) -> str:
    """One band of `grade by score: …` as written."""
    label = render_label(band.label)
    if band.op is None or band.number is None:
        return f"{label} otherwise"
    return f"{label} when {band.op} {band.number.literal}"


def render_requirement(node: n.Require) -> str:
    """`require A at least N days after B [of the same F]` (without its consequence): as explain quotes it."""
    same = f" of the same {node.earlier.key}" if node.earlier.key else ""
    return f"require {render_source(node.later.source)} at least {node.days} days after {render_source(node.earlier.source)}{same}"


OPTION_WORDS = {"optional": "optional", "default": "default", "required_when": "required when", "only_when": "only when"}


def render_option(option: n.FieldOption) -> str:
    match option.name, option.args:
        case "optional", _:
            return "optional"
        case "default", (value,):
            return f"default {render_value(value)}"
        case (("required_when" | "only_when"), (condition,)):
            return f"{OPTION_WORDS[option.name]} {render_filter(condition)}"
        case "range", (low, high):
            return f"from {low.literal} to {high.literal}"
        case "min", (low,):
            return f"at least {low.literal}"
        case "max", (high,):
            return f"at most {high.literal}"
        case "range_when", (low, high, condition):
            return f"from {low.literal} to {high.literal} when {render_filter(condition)}"
        case "min_when", (low, condition):
            return f"at least {low.literal} when {render_filter(condition)}"
        case "max_when", (high, condition):
            return f"at most {high.literal} when {render_filter(condition)}"
        case _:
            raise NoCase("the field option renderer (render.render_option)", option)


_BARE_CHOICE = re.compile(r"[^\W\d]\w*|\d+")
# words the grammar reserves: a choice spelled like one is quoted so that it reads back as a value
_RESERVED_CHOICES = {"optional", "default", "required", "only", "from", "at", "one", "of"}


def render_choice(value: object) -> str:
    """A declared value as written in `one of …` and rate lists: bare if it is a name or whole number, else quoted."""
    text = str(value)
    return text if _BARE_CHOICE.fullmatch(text) and text not in _RESERVED_CHOICES else quote(text)


def render_type(ftype: n.FieldType) -> str:
    if ftype.name == "enum":
        return "one of " + " | ".join(render_choice(c) for c in ftype.choices)
    if ftype.name == "table":
        return "table of " + render_type(ftype.choices[0])
    return ftype.name


def render_label(label: str | None) -> str:
    """A grade label: a bare word when it is one (A, 不合格), else quoted; `none` for no grade."""
    if label is None:
        return "none"
    if re.fullmatch(r"[^\W\d]\w*", label) and label not in ("none", "when", "otherwise"):
        return label
    return quote(label)


def render_attributes(attributes) -> str:
    """` with ATTR VALUE, …` of a unit or group line ("" without attributes)."""
    if not attributes:
        return ""
    return " with " + ", ".join(f"{name} {render_value(value)}" for name, value in attributes)


def render_rank_key(key: n.RankKey) -> str:
    order = " lowest first" if key.lowest_first else ""
    if key.what == "total":
        return "total" + order
    if key.what == "score":
        return f"score of {key.item}{order}"
    assert key.source is not None, "a countback key names its events"
    return f"countback {key.field} of {render_source(key.source, True)}"
