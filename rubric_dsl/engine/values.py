"""Value expressions for one unit: numbers, aggregates, names and arithmetic → exact values or "no value", with reasons.

A value is a Decimal, or None ("no value") with the reason why: a division by zero, `latest`,
`average`, `min` or `max` of no events, a unit without a target. No value is contagious through
arithmetic; `VALUE otherwise N` replaces it; a comparison with no value does not hold, and points
equal to no value are 0. Each result also carries the event records that produced it (provenance).
"""

from __future__ import annotations

import datetime
import math
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from ..errors import NoCase
from ..i18n import _
from ..language import nodes as n
from ..language.render import PRECEDENCE, render_condition, render_expr
from ..numbers import DEFAULT_ROUNDING, shown
from .plan import QUANTITY, VALUE

ZERO = Decimal(0)
# Event values and rubric values of every type meet here (numbers, dates, words, booleans): the
# operators take whatever the comparison holds, as Python compares them.
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}


fmt = shown  # every number in a message is written by numbers.py


@attrs.frozen
class Value:
    """The value of an expression for one unit: `number` (None: no value, see `missing`) and the records it used."""

    number: Decimal | None
    records: tuple = ()
    missing: str | None = None


class ValueEvaluator:
    """Evaluates value expressions and value conditions for one unit (one UnitEvaluation)."""

    def __init__(self, ev):
        self.ev = ev
        self._names: dict = {}

    # ---- values
    def value(self, node, month=None) -> Value:
        match node:
            case n.Number():
                return Value(node.value)
            case n.Arith():
                return self._arith(node, month)
            case n.Negate():
                inner = self.value(node.operand, month)
                return inner if inner.number is None else Value(-inner.number, inner.records)
            case n.Otherwise():
                inner = self.value(node.value, month)
                if inner.number is not None:
                    return inner
                fallback = self.value(node.fallback, month)
                return Value(fallback.number, inner.records + fallback.records, fallback.missing)
            case _:
                return self.atom(node, month)

    def atom(self, node, month=None) -> Value:
        """The value of one atom. A new atom (see nodes.py) gets its case here."""
        ev = self.ev
        match node:
            case n.Count() | n.Sum() | n.Latest() | n.Distinct() | n.MonthsWithout():  # n.AGGREGATES
                number, records = ev.aggregate(node, month)
                if number is None:
                    return Value(None, (), _("no {kind} reported for {what}", kind=node.source.kind, what=render_expr(node)))
                return Value(Decimal(number), tuple(records))
            case n.Average() | n.Minimum() | n.Maximum():
                records = [r for r in ev._in_month(ev.records(node), month) if r[VALUE] is not None]
                if not records:
                    return Value(None, (), _("no {kind} reported for {what}", kind=node.source.kind, what=render_expr(node)))
                if isinstance(node, n.Average):
                    count = sum(r[QUANTITY] for r in records)
                    return Value(sum((Decimal(r[VALUE]) * r[QUANTITY] for r in records), ZERO) / count, tuple(records))
                pick = min if isinstance(node, n.Minimum) else max
                chosen = pick(records, key=lambda r: Decimal(r[VALUE]))
                return Value(Decimal(chosen[VALUE]), (chosen,))
            case n.UnitTarget():
                target = ev.target
                if target is None:
                    return Value(None, (), _("the unit has no target"))
                return Value(target)
            case n.Recent():
                cut = ev.bounds[1] if ev.bounds else ev.program.window.end
                since = cut - datetime.timedelta(days=node.days)
                inner = self.atom(node.aggregate, ("since", since))
                if inner.number is None:
                    return Value(None, inner.records, _("{reason} in the last {days} days", reason=inner.missing, days=node.days))
                return inner
            case n.PeriodCount():
                if node.period == "day":
                    start, end = ev.bounds if ev.bounds else (ev.program.window.start, ev.program.window.end)
                    return Value(Decimal((end - start).days + 1))
                return Value(Decimal(len(ev.period_keys(node.period))))
            case n.NameRef():
                let = ev.program.lets.get(node.name)
                if month is not None and let is not None:  # inside `every month …`: worked out for that month alone
                    return self.value(let.body, month)
                return self.name(node.name)
            case n.UnitTotal():
                if ev.total is None:
                    return Value(None, (), _("the unit has no total (no score)"))
                return Value(ev.total)
            case n.ScoreOf():
                result = ev.scores.get(node.item)
                if result is None:
                    return Value(None, (), _("{item} is not scored", item=node.item))
                return Value(result.score)
            case n.TableEntry():
                table = ev.unit.attribute(node.attribute) if ev.unit is not None else None
                entry = dict(table).get(node.key) if table else None
                if entry is None:
                    return Value(None, (), _("the unit's {table} has no entry {key}", table=node.attribute, key=node.key))
                return Value(Decimal(entry))
            case _:
                raise NoCase("the value evaluation (ValueEvaluator.atom)", node)

    def name(self, name: str) -> Value:
        """A named value: a `let` of the rubric (computed once per unit), or a numeric unit attribute."""
        if name not in self._names:
            let = self.ev.program.lets.get(name)
            if let is None:  # the checker allows only declared numeric attributes here
                have = self.ev.unit.attribute(name) if self.ev.unit is not None else None
                self._names[name] = Value(have) if have is not None else Value(None, (), _("the unit has no {name}", name=name))
            else:
                self._names[name] = self.value(let.body)
        return self._names[name]

    def _arith(self, node: n.Arith, month) -> Value:
        left = self.value(node.left, month)
        right = self.value(node.right, month)
        records = left.records + right.records
        if left.number is None or right.number is None:
            return Value(None, records, left.missing or right.missing)
        if node.op == "+":
            return Value(left.number + right.number, records)
        if node.op == "-":
            return Value(left.number - right.number, records)
        if node.op == "*":
            return Value(left.number * right.number, records)
        if right.number == 0:
            return Value(
                None, records, _("{divisor} is 0, so {what} has no value", divisor=render_expr(node.right), what=render_expr(node))
            )
        return Value(left.number / right.number, records)

    def shown(self, node, value: Value) -> str:
        """`EXPR is N` for explain lines, with the parts of a computed value: `rate is 0.2857 (2 / 7)`."""
        if value.number is None:
            return _("{what} has no value: {reason}", what=render_expr(node), reason=value.missing)
        text = _("{what} is {value}", what=render_expr(node), value=fmt(_display(value.number)))
        let = self.ev.program.lets.get(node.name) if isinstance(node, n.NameRef) else None
        body = let.body if let is not None else node  # a unit attribute has no parts to show
        if isinstance(body, (n.Arith, n.Otherwise, n.Negate)):
            text = _("{text} ({parts})", text=text, parts=self._parts(body))
        return text

    def _parts(self, node) -> str:
        """The expression with each non-literal operand replaced by its value: `2 / 7`."""
        match node:
            case n.Arith():
                own = PRECEDENCE[node.op]
                left, right = self._parts(node.left), self._parts(node.right)
                if isinstance(node.left, n.Arith) and PRECEDENCE[node.left.op] < own:
                    left = f"({left})"
                if isinstance(node.right, n.Arith) and PRECEDENCE[node.right.op] <= own:
                    right = f"({right})"
                return f"{left} {node.op} {right}"
            case n.Otherwise():
                return self._parts(node.value)
            case n.Negate():
                return f"-{self._parts(node.operand)}"
            case _:  # an operand that is not an operator: its value (ValueEvaluator.value names a node it lacks)
                value = self.value(node)
                return fmt(_display(value.number)) if value.number is not None else _("no value")

    # ---- conditions on values: (holds, reasons it does not, records that made it hold)
    def compare(self, node: n.ValueCompare):
        left, right = self.value(node.left), self.value(node.right)
        if left.number is None or right.number is None:
            missing = left if left.number is None else right
            side = node.left if left.number is None else node.right
            return (
                False,
                [_("{value}, so `{condition}` does not hold", value=self.shown(side, missing), condition=render_condition(node))],
                [],
            )
        if COMPARE[node.op](left.number, right.number):
            return True, [], list(left.records + right.records)
        wanted = fmt(right.number) if isinstance(node.right, n.Number) else self.shown(node.right, right)
        wanted = node.right.literal if isinstance(node.right, n.Number) else wanted
        return False, [_("{value}; needs {op} {wanted}", value=self.shown(node.left, left), op=node.op, wanted=wanted)], []

    def held(self, condition) -> str | None:
        """For a comparison of values that held (directly, or as a named condition): `rate is 0 (0 / 2)`."""
        if isinstance(condition, n.NameRef) and condition.name in self.ev.program.lets:
            condition = self.ev.program.lets[condition.name].body
        if not isinstance(condition, n.ValueCompare):
            return None
        return self.shown(condition.left, self.value(condition.left))

    # ---- amounts
    def points_of(self, amount: n.PointsOf):
        """Points equal to a value: (points, records, notes)."""
        value = self.value(amount.value)
        if value.number is None:
            return ZERO, (), [_("{value}; no points", value=self.shown(amount.value, value))]
        return value.number, value.records, []

    def tiered(self, amount: n.Tiered):
        """The first tier that holds: (points, records, notes, chosen tier text)."""
        value = self.value(amount.value)
        if value.number is None:
            return ZERO, (), [_("{value}; no tier applies", value=self.shown(amount.value, value))], None
        for tier in amount.tiers:
            bound = self.value(tier.bound)
            if bound.number is not None and COMPARE[tier.op](value.number, bound.number):
                chosen = _(
                    "{value}: {points} when {op} {bound}",
                    value=self.shown(amount.value, value),
                    points=render_expr(tier.points),
                    op=tier.op,
                    bound=render_expr(tier.bound),
                )
                if isinstance(tier.points, n.Number):
                    return tier.points.value, value.records, [], chosen
                points = self.value(tier.points)  # a value as the tier's points: no value gives 0, and says so
                if points.number is None:
                    return ZERO, value.records, [_("{tier}: {points}", tier=chosen, points=self.shown(tier.points, points))], chosen
                return points.number, value.records, [], _("{tier} = {points}", tier=chosen, points=fmt(points.number))
        otherwise = amount.otherwise.value if amount.otherwise is not None else ZERO
        if amount.otherwise is not None:
            note = _("{value}: no tier holds, so {otherwise}", value=self.shown(amount.value, value), otherwise=amount.otherwise.literal)
        else:
            note = _("{value}: no tier holds", value=self.shown(amount.value, value))
        return otherwise, value.records, [note], note

    # ---- countables
    def steps(self, countable: n.Steps):
        """How many steps the value lies beyond/below the bound (whole steps if `full`): (count, note)."""
        value, bound = self.value(countable.value), self.value(countable.bound)
        if value.number is None or bound.number is None:
            missing = (countable.value, value) if value.number is None else (countable.bound, bound)
            return ZERO, self.shown(*missing)
        distance = value.number - bound.number if countable.direction == "beyond" else bound.number - value.number
        above = countable.direction == "beyond"
        shown_value, bound_text = self.shown(countable.value, value), render_expr(countable.bound)
        if distance <= 0:
            if above:
                return ZERO, _("{value}, not above {bound}: no step counted", value=shown_value, bound=bound_text)
            return ZERO, _("{value}, not below {bound}: no step counted", value=shown_value, bound=bound_text)
        count = distance / countable.step.value
        if countable.whole:
            count = Decimal(math.floor(count))
        steps = (
            _("{count} step of {step}", count=fmt(_display(count)), step=countable.step.literal)
            if count == 1
            else _("{count} steps of {step}", count=fmt(_display(count)), step=countable.step.literal)
        )
        distance_text = fmt(_display(abs(distance)))
        if above:
            return count, _(
                "{value}, {distance} above {bound}: {steps}", value=shown_value, distance=distance_text, bound=bound_text, steps=steps
            )
        return count, _(
            "{value}, {distance} below {bound}: {steps}", value=shown_value, distance=distance_text, bound=bound_text, steps=steps
        )

    def shortfall(self, countable: n.Shortfall):
        """How many events are missing to reach the wanted number (never below 0): (count, records, note)."""
        wanted = self.value(countable.wanted)
        records = self.ev.records(countable)
        have = sum(r[QUANTITY] for r in records)
        if wanted.number is None:
            return ZERO, records, _("{value}; nothing counted short", value=self.shown(countable.wanted, wanted))
        missing = max(wanted.number - have, ZERO)
        return (
            missing,
            records,
            _(
                "{have} {source} of {wanted} wanted: {missing} short",
                have=have,
                source=render_expr(n.Count(countable.source))[6:],
                wanted=fmt(wanted.number),
                missing=fmt(missing),
            ),
        )


CONDITION_NODES = n.CONDITION_NODES


def is_condition(body, lets: dict, seen=frozenset()) -> bool:
    """Whether a `let` body is a condition (a bare name takes the type of the name it refers to)."""
    if isinstance(body, n.NameRef) and body.name in lets and body.name not in seen:
        return is_condition(lets[body.name].body, lets, seen | {body.name})
    return isinstance(body, CONDITION_NODES)


def _display(number: Decimal) -> Decimal:
    # Ratios such as 2/7 have 28 digits; people read four decimals.
    if number == number.to_integral_value():
        return number
    rounded = number.quantize(Decimal("0.0001"), rounding=DEFAULT_ROUNDING)
    return rounded if rounded != 0 else number
