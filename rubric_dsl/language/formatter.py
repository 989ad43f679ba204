"""Canonical layout: AST statements back to text, one per line, keeping comments and quoted text."""

from __future__ import annotations

from ..errors import NoCase
from . import nodes as n
from .builder import parse_statements
from .diagnostics import source_lines
from .render import (
    quote,
    render_attributes,
    render_band,
    render_condition,
    render_expr,
    render_joint_cap,
    render_label,
    render_option,
    render_rank_key,
    render_requirement,
    render_rule,
    render_source,
    render_type,
)

INDENT = "  "


def render_statement(st) -> str:
    """One statement as its canonical line (without indentation)."""
    match st:
        case n.Title():
            return f"rubric {quote(st.title)}"
        case n.SourceDoc():
            return f"source {quote(st.citation)}"
        case n.Heading():
            return f"heading {quote(st.text)} is " + (st.field if st.field is not None else "not read")
        case n.Window():
            return f"window {st.start.isoformat()} to {st.end.isoformat()}"
        case n.Precision():
            return f"precision {st.digits} rounding {st.rounding}"
        case n.Total():
            return f"total {st.points.literal}"
        case n.TotalFloor():
            return f"total floor {st.points.literal}"
        case n.TotalCap():
            return f"total cap {st.points.literal}"
        case n.TotalIs():
            return f"total is {render_expr(st.value)}"
        case n.JointCap():
            return render_joint_cap(st)
        case n.Clause():
            return f"clause {st.clause_id} {quote(st.text)}"
        case n.Unlisted():
            return "unlisted units are " + ("scored apart" if st.policy == "scored_apart" else "rejected")
        case n.Group():
            label = f" {quote(st.label)}" if st.label is not None else ""
            target = f" target {st.target.literal}" if st.target is not None else ""
            return f"group {st.name}{label}{target}{render_attributes(st.attributes)}"
        case n.Language():
            return f"language {st.tag}"
        case n.Office():
            return f"office {quote(st.name)}"
        case n.DocumentNumber():
            return f"document number {quote(st.pattern)}"
        case n.Subject():
            return f"subject {quote(st.text)}"
        case n.Signature():
            return f"signature {quote(st.name)}"
        case n.UnitNames():
            return "unit names match across scripts"
        case n.Unit():
            target = f" target {st.target.literal}" if st.target is not None else ""
            aliases = " also " + ", ".join(quote(a) for a in st.aliases) if st.aliases else ""
            return f"unit {quote(st.name)}{target}{aliases}{render_attributes(st.attributes)}"
        case n.Attribute():
            options = "".join(f", {render_option(o)}" for o in st.options)
            return f"attribute {st.name}: {render_type(st.type)}{options}"
        case n.UnitsFrom():
            return f"units from {quote(st.path)}"
        case n.OnlyWhen():
            return f"only when {render_condition(st.condition)}"
        case n.ScoredPer():
            named = f" as {st.name}" if st.name else ""
            return f"scored per {st.field} of {render_source(st.source)}, taking the {st.pick}{named}"
        case n.NotInTotal():
            return "not in the total"
        case n.GradeRule():
            when = f"when {render_condition(st.condition)}" if st.condition is not None else "otherwise"
            return f"grade {render_label(st.label)} {when}"
        case n.StatusRule():
            when = f"when {render_condition(st.condition)}" if st.condition is not None else "otherwise"
            return f"status {quote(st.text)} {when}"
        case n.Veto():
            outcome = ["no score"] if st.no_score else [f"score {st.score.literal}"] if st.score is not None else []
            if st.grade is not None:
                outcome.append(f"grade {render_label(st.grade)}")
            if st.status is not None:
                outcome.append(f"status {quote(st.status)}")
            return f"veto when {render_condition(st.condition)}: {', '.join(outcome)}"
        case n.Rank():
            within = f" within {st.within}" if st.within else ""
            return f"rank{within} by " + ", then ".join(render_rank_key(k) for k in st.keys)
        case n.Combine():
            return f"combine members by {st.attribute}: {st.pick}"
        case n.Require():
            return render_requirement(st) + ", or it does not count"
        case n.Bulletin():
            return "bulletin " + ", ".join(st.periods)
        case n.CommendCompletion():
            return f"commend completion {st.op} {st.number.literal}"
        case n.CommendTop():
            per = " per group" if st.per_group else f" per {st.per_attribute}" if st.per_attribute else ""
            return f"commend top {st.count}{per}"
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
            return f"floor {render_expr(st.points)}"
        case n.ItemGrades():
            return "grade by score: " + ", ".join(render_band(band) for band in st.bands)
        case n.Cap():
            return f"cap {render_expr(st.points)}"
        case n.Scale():
            extra = f", extra at most {st.extra_cap.literal}" if st.extra_cap is not None else ""
            raw_floor = f", raw floor {st.raw_floor.literal}" if st.raw_floor is not None else ""
            return f"scale parts from {st.raw.literal} to {st.points.literal}{extra}{raw_floor}"
        case n.Rule():
            return render_rule(st)
        case n.PeriodLength():
            return f"period {st.unit}"
        case n.PeriodDecl():
            label = f" {quote(st.label)}" if st.label is not None else ""
            return f"period {st.name}{label} {st.start.isoformat()} to {st.end.isoformat()}"
        case n.Let():
            return f"let {st.name} = {render_condition(st.body)}"
        case _:
            raise NoCase("the statement renderer (formatter.render_statement)", st)


def _depths(statements):
    """Canonical indentation of each statement: blocks open at 0, their lines one level in."""
    depth_of = []
    in_part = in_item = False
    for st in statements:
        match st:
            case n.SectionHead() | n.Group() | n.EventKind():
                in_part = in_item = False
                depth = 0
            case n.ItemHead():
                in_part, in_item = False, True
                depth = 1
            case n.PartHead():
                in_part = True
                depth = 2
            case n.Let():  # rubric-wide, but written where it is used: indented like a rule there
                depth = (3 if in_part else 2) if in_item else 0
            case n.Clause() if in_item:  # a clause cited inside an item: at the item's lines
                depth = 3 if in_part else 2
            case n.Unit() | n.Field() | n.Clause():
                depth = 1
            case (
                n.ClauseText()
                | n.Responsible()
                | n.Assisting()
                | n.Floor()
                | n.Cap()
                | n.Scale()
                | n.Rule()
                | n.JointCap()
                | n.OnlyWhen()
                | n.ScoredPer()
                | n.NotInTotal()
                | n.ItemGrades()
            ):
                depth = 3 if in_part else 2
            case (
                n.Title()
                | n.SourceDoc()
                | n.Window()
                | n.Precision()
                | n.Total()
                | n.TotalCap()
                | n.TotalFloor()
                | n.TotalIs()
                | n.Unlisted()
                | n.UnitNames()
                | n.UnitsFrom()
                | n.Attribute()
                | n.Heading()
                | n.PeriodLength()
                | n.PeriodDecl()
                | n.Require()
                | n.GradeRule()
                | n.StatusRule()
                | n.Veto()
                | n.Rank()
                | n.Combine()
                | n.Bulletin()
                | n.CommendCompletion()
                | n.CommendTop()
                | n.Language()
                | n.Office()
                | n.DocumentNumber()
                | n.Subject()
                | n.Signature()
            ):  # rubric-wide lines: at the margin, and they close the open section or item
                in_part = in_item = False
                depth = 0
            case _:
                raise NoCase("the formatter's indentation (formatter._depths)", st)
        depth_of.append(depth)
    return depth_of


BOM = "\ufeff"  # editors on Windows start UTF-8 files with it; it is not part of the rubric


def format_text(text: str, path: str = "<rubric>") -> str:
    """The canonical form of rubric text. Raises RubricError if it does not parse."""
    text = text.removeprefix(BOM)
    statements = parse_statements(text, path)
    lines = source_lines(text)
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
