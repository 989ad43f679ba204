"""Every node class through every pass (issue 14): a construct one pass forgets fails here, not at scoring time.

The samples are every rubric in the repository plus tests/cases/constructs/, which holds the constructs
no shipped rubric uses. Each goes through the builder and checker, the formatter (every statement
rendered, and the formatted text means the same), the engine (plan, generated handlers, evaluation)
and the reference interpreter (both runners must agree), and the outputs (explain, table, CSV, JSON).
"""

import contextlib
import datetime
import pathlib

import attrs
import pytest

import rubric_dsl
from rubric_dsl.api import check_text
from rubric_dsl.engine import codegen, declarations, plan
from rubric_dsl.engine.evaluation import UnitEvaluation
from rubric_dsl.errors import InternalError, NoCase
from rubric_dsl.language import checker, formatter, render
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse
from rubric_dsl.language.formatter import format_text, render_statement
from rubric_dsl.outputs import reports
from rubric_dsl.outputs.explain import explain_unit
from rubric_dsl.outputs.scorecards import render_scorecard

from .test_reference import outcome

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for folder in ("rubrics", "examples", "tests/cases/constructs") for p in (ROOT / folder).rglob("*.rubric"))
NODE_CLASSES = {c for c in vars(n).values() if isinstance(c, type) and attrs.has(c) and c.__module__ == n.__name__} - {n.Span}


def sample_rubric(path: pathlib.Path) -> n.Rubric:
    rubric, diagnostics = check_text(path.read_text(encoding="utf-8"), str(path))
    errors = [d.render() for d in diagnostics if d.severity == "error"]
    assert rubric is not None and not errors, errors
    return rubric


def test_every_node_class_has_a_sample():
    seen = {type(node) for path in SAMPLES for node in n.walk(sample_rubric(path))}
    # a new node class needs a sample here (add it to a rubric in tests/cases/constructs/)
    assert sorted(c.__name__ for c in NODE_CLASSES - seen) == []


def field_value(field: n.Field, window: n.Window) -> object:
    """A valid value for a declared field: its first choice, its least allowed number, a date in the window."""
    options = {o.name: o.args for o in field.options}
    low = (options.get("range") or options.get("min") or [None])[0]
    match field.type.name:
        case "enum":
            return str(field.type.choices[0])
        case "decimal" | "integer":
            return str(low.value) if low is not None else "1"
        case "date":
            return window.start.isoformat()
        case "boolean":
            return True
    return "x"


def sample_events(program) -> list[dict]:
    rubric = program.rubric
    window = rubric.window
    units = [u.name for u in rubric.units][:3] or ["U"]
    days = [window.start + (window.end - window.start) * k // 4 for k in range(4)]
    events = []
    for kind in rubric.kinds:
        for unit in units:
            for day in days:
                event = {"id": f"e{len(events)}", "unit": unit, "date": day.isoformat(), "kind": kind.name}
                event.update({f.name: field_value(f, window) for f in kind.fields})
                events.append(event)
    return events


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_pass_takes_every_node_of_the_sample(path):
    text = path.read_text(encoding="utf-8")
    rubric = sample_rubric(path)  # builder, checker
    # formatter: every statement renders, and the formatted text is the same rubric
    assert all(isinstance(render_statement(st), str) for st in rubric.statements)
    assert parse(format_text(text, str(path)), str(path)) == parse(text, str(path))
    # engine: plan, generated handlers and evaluation; the reference interpreter agrees
    program = rubric_dsl.load(path)
    events = sample_events(program)
    as_of = min(program.window.end, datetime.date(program.window.start.year, 6, 30))
    assert outcome(program, events) == outcome(rubric_dsl.engine.reference.reference_of(program), events)
    card = program.finish(program.tally(events), as_of if as_of >= program.window.start else None)
    # outputs
    for unit in card.units:
        assert explain_unit(program, card, unit.unit).startswith(unit.unit)
    for format in ("table", "csv", "json"):
        assert render_scorecard(card, format)


# ---- the fall-throughs: a node class a pass has no case for is named, never passed over -----------------
# test_every_pass_takes_every_node_of_the_sample proves that no sample node reaches a fall-through only
# because each fall-through raises NoCase; these tests hold every dispatch to that.


@attrs.frozen
class Stranger:
    """A node class no pass knows: what a construct looks like to a pass that forgot it."""

    span: n.Span = n.Span(7, 3, 7, 9)


def unit_evaluation() -> UnitEvaluation:
    return UnitEvaluation(rubric_dsl.load(ROOT / "rubrics" / "2009_info.rubric"), [], [])


def checker_context() -> checker.Context:
    return checker.Context(sample_rubric(ROOT / "rubrics" / "2009_info.rubric"))


def checker_context_with(node: object) -> checker.Context:
    """A checker context whose first item's first rule pays the node as its amount."""
    rubric = sample_rubric(ROOT / "rubrics" / "2009_info.rubric")
    first = next(rubric.all_items())
    rule = attrs.evolve(first.rules[0], amount=node)
    sections = list(rubric.sections)
    item = attrs.evolve(first, rules=(rule, *first.rules[1:]))
    sections[0] = attrs.evolve(sections[0], items=(item, *sections[0].items[1:]))
    return checker.Context(attrs.evolve(rubric, sections=tuple(sections)))


def stranger_rule(node: object) -> n.Rule:
    return n.Rule("award", node)


def stranger_per_each(node: object) -> n.PerEach:
    return n.PerEach(n.Number("1"), node)


DISPATCHES = {
    "render.render_filter": lambda node: render.render_filter(node),
    "render.render_aggregate": lambda node: render.render_aggregate(node),
    "render.render_expr": lambda node: render.render_expr(node),
    "render.render_condition": lambda node: render.render_condition(node),  # hands a non-condition to render_expr
    "render.render_countable": lambda node: render.render_countable(node),
    "render.render_amount": lambda node: render.render_amount(node),
    "render.render_option": lambda node: render.render_option(n.FieldOption("stranger")),
    "formatter.render_statement": lambda node: render_statement(node),
    "formatter._depths": lambda node: formatter._depths([node]),
    "codegen.filter_code": lambda node: codegen.filter_code(node, {}, codegen.Namespace(), {}),
    "plan.slot_for": lambda node: plan.slot_for(node),
    "declarations.holds": lambda node: declarations.holds(node, {}, {}),
    "declarations.literal": lambda node: declarations.literal(node, "text"),
    "declarations.unit_literal": lambda node: declarations.unit_literal(node),
    "nodes.plain_value": lambda node: n.plain_value(node),
    "UnitEvaluation.aggregate": lambda node: unit_evaluation().aggregate(node),
    "UnitEvaluation.condition": lambda node: unit_evaluation().condition(node),
    "UnitEvaluation.rule": lambda node: unit_evaluation().rule(stranger_rule(node)),
    "UnitEvaluation._per_each": lambda node: unit_evaluation()._per_each(stranger_per_each(node)),
    "ValueEvaluator.atom": lambda node: unit_evaluation().values.atom(node),
    "checker.single_award": lambda node: checker.single_award(node),
    "checker.event_terms": lambda node: checker.event_terms(None, node),
    "checker.event_terms (countable)": lambda node: checker.event_terms(None, stranger_per_each(node)),
    "checker.counts_events": lambda node: checker.counts_events(node),
    "checker.counts_events (countable)": lambda node: checker.counts_events(stranger_per_each(node)),
    "checker.expression_slots": lambda node: checker.expression_slots(stranger_rule(node), node),
    "checker.expression_slots (countable)": lambda node: checker.expression_slots(
        stranger_rule(per_each := stranger_per_each(node)), per_each
    ),
    "reports.commended_units": lambda node: reports.commended_units(
        attrs.evolve(sample_rubric(ROOT / "rubrics" / "2009_info.rubric"), commend=node),
        rubric_dsl.load(ROOT / "rubrics" / "2009_info.rubric").score([]),
    ),
    "reports.commendation_text": lambda node: reports.commendation_text(node),
    "checker.check_references": lambda node: checker.check_references(checker_context_with(node)),
    "checker.check_value": lambda node: checker.check_value(
        checker_context(), n.NO_SPAN, "news", "title", "=", node, "the value", n.FieldType("text")
    ),
}


@pytest.mark.parametrize("name", sorted(DISPATCHES))
def test_a_pass_names_a_node_class_it_has_no_case_for(name):
    with pytest.raises(NoCase) as raised:
        DISPATCHES[name](Stranger())
    error = raised.value
    expected = "render.render_expr" if name == "render.render_condition" else name.removesuffix(" (countable)")
    assert expected in error.pass_name
    if name != "render.render_option":  # the option's name is what it dispatches on
        assert error.node_class == "Stranger"
        assert (error.line, error.column) == (7, 3)  # the node's span: where in the rubric
    assert "has no case for" in str(error) and "bug in rubric_dsl" in str(error)


def test_a_missing_case_is_an_internal_error_not_a_data_error():
    # the event path treats a TypeError as a malformed event (program.tally): a forgotten case must not pass for one
    assert issubclass(NoCase, InternalError) and not issubclass(NoCase, TypeError)


def test_every_amount_countable_and_filter_of_the_samples_meets_a_case_of_every_pass_that_takes_it():
    # Called directly, not only where a pass happens to call them (counts_events only for rules with a
    # period cap, event_terms only for awards): every class in the samples meets a real case, none NoCase.
    seen: set[str] = set()
    for path in SAMPLES:
        rubric = sample_rubric(path)
        ctx = checker.Context(rubric)
        if rubric.commend is not None:
            assert reports.commendation_text(rubric.commend)
            seen.add(type(rubric.commend).__name__)
        for node in n.walk(rubric):
            if isinstance(node, n.Rule):
                amount = node.amount
                assert render.render_amount(amount)
                checker.single_award(amount)
                checker.counts_events(amount)
                checker.expression_slots(node, amount)
                with contextlib.suppress(checker.TooComplex):  # a filter too complex to analyse is left alone
                    checker.event_terms(ctx, amount)
                seen.add(type(amount).__name__)
            if isinstance(node, n.PerEach):
                assert render.render_countable(node.countable)
                seen.add(type(node.countable).__name__)
            if isinstance(node, n.Source) and node.where is not None:
                assert render.render_filter(node.where)
                names = {f: f"v_{f}" for f in {x.field for x in n.walk(node.where) if isinstance(x, (n.Compare, n.In))}}
                assert codegen.filter_code(node.where, {}, codegen.Namespace(), names)
                seen.add(type(node.where).__name__)
    # the samples hold every amount and countable class (a sample-free class fails test_every_node_class_has_a_sample)
    assert {"PerEach", "PerEachBy", "When", "Always", "PointsOf", "Tiered", "ShareOf", "Prorated"} <= seen
    assert {"CommendCompletion", "CommendTop"} <= seen
    assert {"Events", "DistinctValues", "MonthsWithout", "MonthsWhere", "Shortfall", "Within", "FirstPer", "SharedPer", "Steps"} <= seen
