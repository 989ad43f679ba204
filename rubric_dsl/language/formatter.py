"""Canonical layout: AST statements back to text, one per line, keeping comments and quoted text."""

from __future__ import annotations

import datetime

from . import nodes as n
from .builder import parse_statements, quote

INDENT = "  "


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


def render_statement(st) -> str:
    """One statement as its canonical line (without indentation)."""
    match st:
        case n.Title():
            return f"rubric {quote(st.title)}"
        case n.SourceDoc():
            return f"source {quote(st.citation)}"
        case n.Window():
            return f"window {st.start.isoformat()} to {st.end.isoformat()}"
        case n.Precision():
            return f"precision {st.digits} rounding {st.rounding}"
        case n.Total():
            return f"total {st.points.literal}"
        case n.Clause():
            return f"clause {st.clause_id} {quote(st.text)}"
        case n.Unlisted():
            return "unlisted units are " + ("scored apart" if st.policy == "scored_apart" else "rejected")
        case n.Group():
            label = f" {quote(st.label)}" if st.label is not None else ""
            target = f" target {st.target.literal}" if st.target is not None else ""
            return f"group {st.name}{label}{target}"
        case n.UnitNames():
            return "unit names match across scripts"
        case n.Unit():
            target = f" target {st.target.literal}" if st.target is not None else ""
            aliases = " also " + ", ".join(quote(a) for a in st.aliases) if st.aliases else ""
            return f"unit {quote(st.name)}{target}{aliases}"
        case n.Bulletin():
            return "bulletin " + ", ".join(st.periods)
        case n.CommendCompletion():
            return f"commend completion {st.op} {st.number.literal}"
        case n.CommendTop():
            return f"commend top {st.count}" + (" per group" if st.per_group else "")
        case n.EventKind():
            return f"event {st.name}" + (f" {quote(st.label)}" if st.label is not None else "")
        case n.Field():
            options = "".join(f", {render_option(o)}" for o in st.options)
            return f"field {st.name}: {render_type(st.type)}{options}"
        case n.SectionHead():
            base = f" base {st.base.literal}" if st.base is not None else ""
            return f"section {st.section_id} {quote(st.title)}{base}"
        case n.ItemHead():
            base = f" base {st.base.literal}" if st.base is not None else ""
            return f"item {st.item_id} {quote(st.title)}{base}"
        case n.PartHead():
            return f"part {st.item_id} {quote(st.title)}"
        case n.ClauseText():
            return f"text {quote(st.text)}"
        case n.Responsible():
            return "responsible " + ", ".join(quote(x) for x in st.names)
        case n.Assisting():
            return "assisting " + ", ".join(quote(x) for x in st.names)
        case n.Floor():
            return f"floor {st.points.literal}"
        case n.Cap():
            return f"cap {st.points.literal}"
        case n.Scale():
            extra = f", extra at most {st.extra_cap.literal}" if st.extra_cap is not None else ""
            raw_floor = f", raw floor {st.raw_floor.literal}" if st.raw_floor is not None else ""
            return f"scale parts from {st.raw.literal} to {st.points.literal}{extra}{raw_floor}"
        case n.Rule():
            return render_rule(st)
    raise TypeError(st)


def _depths(statements):
    """Canonical indentation of each statement: blocks open at 0, their lines one level in."""
    depth_of = []
    in_part = False
    for st in statements:
        if isinstance(st, (n.SectionHead, n.Group, n.EventKind)):
            in_part = False
            depth = 0
        elif isinstance(st, n.ItemHead):
            in_part = False
            depth = 1
        elif isinstance(st, n.PartHead):
            in_part = True
            depth = 2
        elif isinstance(st, (n.Unit, n.Field, n.Clause)):
            depth = 1
        elif isinstance(st, (n.ClauseText, n.Responsible, n.Assisting, n.Floor, n.Cap, n.Scale, n.Rule)):
            depth = 3 if in_part else 2
        else:
            in_part = False
            depth = 0
        depth_of.append(depth)
    return depth_of


def format_text(text: str, path: str = "<rubric>") -> str:
    """The canonical form of rubric text. Raises RubricError if it does not parse."""
    statements = parse_statements(text, path)
    lines = text.splitlines()
    comments = {number: comment for number, raw in enumerate(lines, 1) if (comment := comment_of(raw))}
    by_line = {st.span.line: st for st in statements}
    depths = dict(zip((st.span.line for st in statements), _depths(statements)))
    out: list[str] = []
    pending_comments: list[tuple[int, str]] = []
    blank = False

    def emit(line):
        out.append(line.rstrip())

    for number, raw in enumerate(lines, 1):
        if number in by_line:
            depth = depths[number]
            st = by_line[number]
            if blank and out:
                emit("")
            blank = False
            for _, comment in pending_comments:
                emit(INDENT * depth + comment)
            pending_comments = []
            line = INDENT * depth + render_statement(st)
            if number in comments:
                line += "  " + comments[number]
            emit(line)
        elif number in comments:
            if blank and out:
                pending_comments.append((number, ""))
            blank = False
            pending_comments.append((number, comments[number]))
        elif not raw.strip():
            if pending_comments:
                pending_comments.append((number, ""))
            else:
                blank = True
    for _, comment in pending_comments:
        emit(comment)
    # a pending "" inside comments marks a blank line; normalise runs of blanks to one
    result: list[str] = []
    for line in out:
        if line == "" and (not result or result[-1] == ""):
            continue
        result.append(line)
    while result and result[-1] == "":
        result.pop()
    return "\n".join(result) + "\n"


def comment_of(line: str) -> str | None:
    """The `# …` comment on a line, if any (a # inside quoted text is not one)."""
    quoted = False
    escaped = False
    for index, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            return line[index:].rstrip()
    return None
