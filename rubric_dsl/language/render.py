"""Node rendering: AST expressions (values, filters, sources, aggregates, conditions, amounts, rules) as rubric text.

Below both the formatter (`fmt`) and the engine, which quotes rule and condition text in scorecards.
"""

from __future__ import annotations

import datetime
import re

from . import nodes as n


def quote(text: str) -> str:
    """The literal that `builder.unquote` reads back as `text`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def render_value(value) -> str:
    if isinstance(value, n.Word):
        return value.name
    if isinstance(value, n.Number):
        return value.literal
    if isinstance(value, n.Text):
        return quote(value.value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def render_filter(node, top=True) -> str:
    if isinstance(node, n.Compare):
        return f"{node.field} {node.op} {render_value(node.value)}"
    if isinstance(node, n.In):
        return f"{node.field} in ({', '.join(render_value(v) for v in node.values)})"
    if isinstance(node, n.And):
        text = " and ".join(render_filter(p, False) for p in node.parts)
        return text if top else f"({text})"
    if isinstance(node, n.Or):
        text = " or ".join(render_filter(p, False) for p in node.parts)
        return text if top else f"({text})"
    if isinstance(node, n.Not):
        return f"not {render_filter(node.part, False)}"
    raise TypeError(node)


def render_source(source: n.Source, simple: bool = False) -> str:
    if source.where is None:
        return source.kind
    where = render_filter(source.where, top=not simple)
    if simple and isinstance(source.where, (n.And, n.Or)) and not where.startswith("("):
        where = f"({where})"
    return f"{source.kind} where {where}"


def render_aggregate(node) -> str:
    if isinstance(node, n.Count):
        return f"count {render_source(node.source, True)}"
    if isinstance(node, n.Sum):
        return f"sum {node.field} of {render_source(node.source, True)}"
    if isinstance(node, n.Latest):
        return f"latest {node.field} of {render_source(node.source, True)}"
    if isinstance(node, n.Distinct):
        return f"distinct {node.field} of {render_source(node.source, True)}"
    if isinstance(node, n.MonthsWithout):
        return f"{PERIOD_WORDS[node.period]} without {render_source(node.source, True)}"
    if isinstance(node, n.Average):
        return f"average {node.field} of {render_source(node.source, True)}"
    if isinstance(node, n.Minimum):
        return f"min {node.field} of {render_source(node.source, True)}"
    if isinstance(node, n.Maximum):
        return f"max {node.field} of {render_source(node.source, True)}"
    raise TypeError(node)


# Binding strength of value operators: a child is parenthesised only where its own binds looser.
PRECEDENCE = {"otherwise": 1, "+": 2, "-": 2, "*": 3, "/": 3, "negate": 4}
ATOM_PRECEDENCE = 5
PERIOD_WORDS = {"week": "weeks", "month": "months", "quarter": "quarters", "year": "years", "day": "days"}


def _precedence(node) -> int:
    if isinstance(node, n.Arith):
        return PRECEDENCE[node.op]
    if isinstance(node, n.Otherwise):
        return PRECEDENCE["otherwise"]
    if isinstance(node, n.Negate):
        return PRECEDENCE["negate"]
    if isinstance(node, (n.And, n.Or, n.Not, n.ValueCompare, n.AggCompare, n.Reached, n.NoEvent, n.EveryMonth)):
        return 0  # a condition inside a value always takes parentheses
    return ATOM_PRECEDENCE


def render_expr(node) -> str:
    """A value expression as canonical text: ASCII operators, parentheses only where needed."""
    if isinstance(node, n.Number):
        return node.literal
    if isinstance(node, n.AGGREGATES + (n.Average, n.Minimum, n.Maximum)):
        return render_aggregate(node)
    if isinstance(node, n.UnitTarget):
        return "target"
    if isinstance(node, n.UnitTotal):
        return "total"
    if isinstance(node, n.ScoreOf):
        return f"score of {node.item}"
    if isinstance(node, n.PeriodCount):
        return PERIOD_WORDS[node.period]
    if isinstance(node, n.NameRef):
        return node.name
    if isinstance(node, n.Negate):
        return "-" + _operand(node.operand, PRECEDENCE["negate"], right=False)
    if isinstance(node, n.Arith):
        own = PRECEDENCE[node.op]
        return f"{_operand(node.left, own, False)} {node.op} {_operand(node.right, own, True)}"
    if isinstance(node, n.Otherwise):
        own = PRECEDENCE["otherwise"]
        return f"{_operand(node.value, own, False)} otherwise {_operand(node.fallback, own, True)}"
    return f"({render_condition(node)})"


def _operand(node, parent: int, right: bool) -> str:
    text = render_expr(node)
    own = _precedence(node)
    # `a - (b - c)` and `a / (b / c)` keep their parentheses: a right operand of equal strength needs them.
    if own < parent or (right and own == parent) or (own == 0 and not text.startswith("(")):
        return f"({text})"
    return text


def render_condition(node, top=True) -> str:
    if isinstance(node, n.Reached):
        by = f" by {node.deadline.isoformat()}" if node.deadline else ""
        return f"reached {render_source(node.source, True)}{by}"
    if isinstance(node, n.NoEvent):
        return f"no {render_source(node.source, True)}"
    if isinstance(node, n.AggCompare):
        return f"{render_aggregate(node.aggregate)} {node.op} {node.number.literal}"
    if isinstance(node, n.ValueCompare):
        return f"{render_expr(node.left)} {node.op} {render_expr(node.right)}"
    if isinstance(node, n.UnitIs):
        if node.op == "in":
            values: tuple[object, ...] = node.value  # type: ignore[assignment]  # `in` takes a tuple
            return f"unit {node.attribute} in ({', '.join(render_value(v) for v in values)})"
        return f"unit {node.attribute} {node.op} {render_value(node.value)}"
    if isinstance(node, n.MemberVetoed):
        return "any member vetoed"
    if isinstance(node, n.EveryMonth):
        return f"every {node.period} {render_aggregate(node.aggregate)} {node.op} {node.number.literal}"
    if isinstance(node, (n.And, n.Or)):
        word = " and " if isinstance(node, n.And) else " or "
        text = word.join(render_condition(p, False) for p in node.parts)
        return text if top else f"({text})"
    if isinstance(node, n.Not):
        return f"not {render_condition(node.part, False)}"
    return render_expr(node)  # a named condition (NameRef), or a value where a condition belongs


def render_countable(node) -> str:
    if isinstance(node, n.Events):
        return render_source(node.source)
    if isinstance(node, n.DistinctValues):
        whose = ""
        if node.whose:
            whose = f" whose latest {node.whose.field} {node.whose.op} {render_value(node.whose.value)}"
        return f"distinct {node.field} of {render_source(node.source)}{whose}"
    if isinstance(node, n.MonthsWithout):
        return f"{node.period} without {render_source(node.source)}"
    if isinstance(node, n.MonthsWhere):
        return f"{node.period} where {render_aggregate(node.aggregate)} {node.op} {node.number.literal}"
    if isinstance(node, n.Shortfall):
        return f"{render_source(node.source)} short of {render_expr(node.wanted)}"
    if isinstance(node, n.FirstPer):
        return f"{'first' if node.first else 'later'} {render_source(node.source)} per {node.field}"
    if isinstance(node, n.SharedPer):
        return f"{render_source(node.source)} shared per {node.field}"
    if isinstance(node, n.Steps):
        full = "full " if node.whole else ""
        return f"{full}{node.step.literal} of {render_expr(node.value)} {node.direction} {render_expr(node.bound)}"
    raise TypeError(node)


def render_amount(amount) -> str:
    if isinstance(amount, n.PerEach):
        beyond = f" beyond {render_expr(amount.beyond)}" if amount.beyond is not None else ""
        return f"{amount.points.literal} for each {render_countable(amount.countable)}{beyond}"
    if isinstance(amount, n.PerEachBy):
        rates = ", ".join(f"{render_choice(r.value)} {r.points.literal}" for r in amount.rates)
        return f"for each {render_source(amount.source)} by {amount.field}: {rates}"
    if isinstance(amount, n.When):
        return f"{amount.points.literal} when {render_condition(amount.condition)}"
    if isinstance(amount, n.Always):
        return amount.points.literal
    if isinstance(amount, n.PointsOf):
        return render_expr(amount.value)
    if isinstance(amount, n.Tiered):
        tiers = [f"{t.points.literal} when {t.op} {render_expr(t.bound)}" for t in amount.tiers]
        if amount.otherwise is not None:
            tiers.append(f"otherwise {amount.otherwise.literal}")
        return f"by {render_expr(amount.value)}: {', '.join(tiers)}"
    if isinstance(amount, n.ShareOf):
        return f"{amount.factor.literal} of {render_aggregate(amount.aggregate)}"
    if isinstance(amount, n.Prorated):
        return (
            f"{amount.points.literal} prorated over months where {render_aggregate(amount.aggregate)} {amount.op} {amount.number.literal}"
        )
    raise TypeError(amount)


def render_rule(rule: n.Rule) -> str:
    caps = [f"{c.points.literal} a {c.period}" for c in rule.period_caps]
    if rule.cap is not None:
        caps.append(rule.cap.literal)
    cap = f", at most {' and '.join(caps)}" if caps else ""
    return f"{rule.verb} {render_amount(rule.amount)}{cap}"


def render_option(option: n.FieldOption) -> str:
    if option.name == "optional":
        return "optional"
    if option.name == "default":
        return f"default {render_value(option.args[0])}"
    if option.name == "required_when":
        return f"required when {render_filter(option.args[0])}"
    if option.name == "only_when":
        return f"only when {render_filter(option.args[0])}"
    if option.name == "range":
        return f"from {option.args[0].literal} to {option.args[1].literal}"
    if option.name == "min":
        return f"at least {option.args[0].literal}"
    if option.name == "max":
        return f"at most {option.args[0].literal}"
    raise TypeError(option)


_BARE_CHOICE = re.compile(r"[^\W\d]\w*|\d+")
# words the grammar reserves: a choice spelled like one is quoted so that it reads back as a value
_RESERVED_CHOICES = {"optional", "default", "required", "only", "from", "at", "one", "of"}


def render_choice(value) -> str:
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
