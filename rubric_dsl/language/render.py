"""Node rendering: AST expressions (values, filters, sources, aggregates, conditions, amounts, rules) as rubric text.

Below both the formatter (`fmt`) and the engine, which quotes rule and condition text in scorecards.
"""

from __future__ import annotations

import datetime

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
        return f"months without {render_source(node.source, True)}"
    raise TypeError(node)


def render_condition(node, top=True) -> str:
    if isinstance(node, n.Reached):
        by = f" by {node.deadline.isoformat()}" if node.deadline else ""
        return f"reached {render_source(node.source, True)}{by}"
    if isinstance(node, n.NoEvent):
        return f"no {render_source(node.source, True)}"
    if isinstance(node, n.AggCompare):
        return f"{render_aggregate(node.aggregate)} {node.op} {node.number.literal}"
    if isinstance(node, n.EveryMonth):
        return f"every month {render_aggregate(node.aggregate)} {node.op} {node.number.literal}"
    if isinstance(node, (n.And, n.Or)):
        word = " and " if isinstance(node, n.And) else " or "
        text = word.join(render_condition(p, False) for p in node.parts)
        return text if top else f"({text})"
    if isinstance(node, n.Not):
        return f"not {render_condition(node.part, False)}"
    raise TypeError(node)


def render_countable(node) -> str:
    if isinstance(node, n.Events):
        return render_source(node.source)
    if isinstance(node, n.DistinctValues):
        whose = ""
        if node.whose:
            whose = f" whose latest {node.whose.field} {node.whose.op} {render_value(node.whose.value)}"
        return f"distinct {node.field} of {render_source(node.source)}{whose}"
    if isinstance(node, n.MonthsWithout):
        return f"month without {render_source(node.source)}"
    if isinstance(node, n.MonthsWhere):
        return f"month where {render_aggregate(node.aggregate)} {node.op} {node.number.literal}"
    raise TypeError(node)


def render_amount(amount) -> str:
    if isinstance(amount, n.PerEach):
        beyond = f" beyond {amount.beyond.literal}" if amount.beyond else ""
        return f"{amount.points.literal} for each {render_countable(amount.countable)}{beyond}"
    if isinstance(amount, n.PerEachBy):
        rates = ", ".join(f"{r.value} {r.points.literal}" for r in amount.rates)
        return f"for each {render_source(amount.source)} by {amount.field}: {rates}"
    if isinstance(amount, n.When):
        return f"{amount.points.literal} when {render_condition(amount.condition)}"
    if isinstance(amount, n.Always):
        return amount.points.literal
    if isinstance(amount, n.ShareOf):
        return f"{amount.factor.literal} of {render_aggregate(amount.aggregate)}"
    if isinstance(amount, n.Prorated):
        return (
            f"{amount.points.literal} prorated over months where {render_aggregate(amount.aggregate)} {amount.op} {amount.number.literal}"
        )
    raise TypeError(amount)


def render_rule(rule: n.Rule) -> str:
    cap = f", at most {rule.cap.literal}" if rule.cap is not None else ""
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


def render_type(ftype: n.FieldType) -> str:
    if ftype.name == "enum":
        return "one of " + " | ".join(str(c) for c in ftype.choices)
    return ftype.name
