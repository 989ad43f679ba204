"""Item evaluation: a unit's slot records → item scores with provenance, limits and reasons ("why not")."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import attrs

from ..errors import NoCase
from ..i18n import N_, _, join_clauses, join_names, tr
from ..language import nodes as n
from ..language.render import render_aggregate, render_condition, render_expr, render_rule, render_source
from ..numbers import shown
from .plan import (
    DATE,
    EVENT_ID,
    MONTH,
    QUANTITY,
    SEQ,
    VALUE,
    ZERO,
    ExclusionReason,
    by_date,
    month_key,
    month_label,
    per_entity,
    slot_for,
    week_key,
)
from .results import Contribution, ItemResult, Lazy, RankPlace, RuleOutcome
from .values import COMPARE, ValueEvaluator

fmt = shown  # every number in a message is written by numbers.py


def describe_source(source: n.Source) -> str:
    """`paperless_migration` for `milestone where task = paperless_migration`, else the source text."""
    if isinstance(source.where, n.Compare) and source.where.op == "=" and isinstance(source.where.value, n.Word):
        return source.where.value.name
    return render_source(source)


class Outcome(NamedTuple):
    """A condition's verdict: whether it holds, the reasons it does not, and the records that made it hold."""

    holds: bool
    reasons: list[str]
    records: list[tuple]


class UnitEvaluation:
    """Evaluates one unit's items from its slot records."""

    def __init__(
        self,
        program: Any,  # the Program (not imported: it imports this module)
        slots: list[list[tuple[Any, ...]]],
        months: list[int],
        target: Decimal | None = None,
        bounds: tuple[datetime.date, datetime.date] | None = None,
        unit: n.UnitDecl | None = None,
        entity: tuple[n.ScoredPer, Any] | None = None,
    ) -> None:
        self.program = program
        self.slots = slots
        self.months = months
        self.bounds = bounds  # (first day, last day counted) of the period scored
        self.target = target  # the unit's target (Decimal) or None
        self.unit = unit  # the UnitDecl (None for an unlisted unit): its attributes
        self.entity = entity  # (ScoredPer, value): scoring one sub-entity, only its events count
        self.across: dict = {}  # slot index → (first event per key, units per key) over every unit (program.across_units)
        self.scores: dict = {}  # item id → ItemResult, filled in evaluation order
        self.total: Decimal | None = None  # the unit's total, once every counted item is scored
        self.members: list = []  # member UnitResults, for a unit combined from its members
        self.member_evaluations: list = []  # and their evaluations (a countback counts the members' events)
        self._by_month: dict = {}  # id(record list) → {month: records}, for monthly requirements
        self.values = ValueEvaluator(self)  # value expressions, named values and conditions
        self._conditions: dict = {}  # named conditions, evaluated once per unit
        self._notes: list[str] = []  # why-not notes a countable leaves for the rule being evaluated
        self._uncounted: list[str] = []  # those of them that say events are not counted yet
        self.placements: dict = {}  # id(ByRank amount) → RankPlace, worked out over every unit (place_units)

    def records(self, node) -> list[tuple]:
        """The unit's records of the slot `node` reads (see plan.slot_for); scoring one sub-entity, only
        the records of its events, with their plain values."""
        key = slot_for(node)
        if self.entity is None:
            return self.slots[self.program.slots[key]]
        per, wanted = self.entity
        records = self.slots[self.program.slots[per_entity(key, per.field)]]
        return [r[:VALUE] + (r[VALUE][1],) for r in records if r[VALUE][0] == wanted]

    def defining_records(self, per: n.ScoredPer) -> list[tuple]:
        """The records of the events that define the sub-entities of `per` (whatever entity is being scored)."""
        return self.slots[self.program.slots[slot_for(per)]]

    def for_entity(self, per: n.ScoredPer, value) -> UnitEvaluation:
        """The same unit, counting only the events of one sub-entity (one inspection, one account)."""
        sub = UnitEvaluation(self.program, self.slots, self.months, self.target, self.bounds, self.unit, (per, value))
        sub.scores = dict(self.scores)
        sub.placements = self.placements  # a place among the units is the unit's, whichever sub-entity is scored
        return sub

    # ---- aggregates
    def aggregate(self, node, month=None):
        """(value or None, records used) of an aggregate, over the period or one month."""
        match node:
            case n.Count():
                records = self._in_month(self.records(node), month)
                return sum((r[QUANTITY] for r in records), 0), records
            case n.Sum() | n.Latest() | n.Distinct():
                records = self._in_month(self.records(node), month)
                present = [r for r in records if r[VALUE] is not None]
                if isinstance(node, n.Sum):
                    return sum((Decimal(r[VALUE]) * r[QUANTITY] for r in present), ZERO), present
                if isinstance(node, n.Distinct):
                    return len({r[VALUE] for r in present}), present
                if not present:
                    return None, []
                latest = max(present, key=by_date)
                return Decimal(latest[VALUE]), [latest]
            case n.MonthsWithout():
                present = {bucket_of(r, node.period) for r in self.records(node)}
                return sum(1 for key in self.period_keys(node.period) if key not in present), []
            case _:
                raise NoCase("the aggregate evaluation (UnitEvaluation.aggregate)", node)

    def _in_month(self, records, month):
        """The records of one month (a month key), or of one (period unit, key) bucket; all of them for None."""
        if month is None:
            return records
        if isinstance(month, tuple) and month[0] == "since":  # `… in the last N days`: dated after month[1]
            return [r for r in records if r[DATE] > month[1]]
        unit, key = month if isinstance(month, tuple) else ("month", month)
        grouped = self._by_month.get((id(records), unit))
        if grouped is None:
            grouped = self._by_month[(id(records), unit)] = {}
            for record in records:
                grouped.setdefault(bucket_of(record, unit), []).append(record)
        return grouped.get(key, [])

    def compare_in(self, node: n.EveryMonth | n.MonthsWhere, key):
        """`VALUE op VALUE` over one week, month, quarter or year of the period: (holds, left, right)."""
        bucket = self.bucket(node.period, key)
        left, right = self.values.value(node.left, bucket), self.values.value(node.right, bucket)
        holds = left.number is not None and right.number is not None and COMPARE[node.op](left.number, right.number)
        return holds, left, right

    def period_keys(self, unit: str) -> list:
        """The weeks, months, quarters or years of the period scored (up to the as-of date), as bucket keys."""
        if unit == "month":
            return self.months
        if unit in ("quarter", "year"):
            size = 3 if unit == "quarter" else 12
            return list(dict.fromkeys(m // size for m in self.months))
        start, end = self.bounds if self.bounds else (self.program.window.start, self.program.window.end)
        keys, day = [], start
        while day <= end:
            keys.append(week_key(day))
            day += datetime.timedelta(days=7 - day.weekday())
        return keys

    def bucket(self, unit: str, key):
        """What `aggregate`/`_in_month` take for one period: a month key as before, else (unit, key)."""
        return key if unit == "month" else (unit, key)

    # ---- conditions
    def condition(self, node) -> Outcome:
        match node:
            case n.Reached():
                records = sorted(self.records(node), key=by_date)
                what = describe_source(node.source)
                if not records:
                    if self.entity is not None:  # one sub-entity's events: say which, and don't call a field value "reported"
                        per, value = self.entity
                        return Outcome(
                            False,
                            [_("no {source} for {field} {value}", source=render_source(node.source), field=per.field, value=value)],
                            [],
                        )
                    return Outcome(False, [_("{what} was not reported in the period", what=what)], [])
                if node.deadline and records[0][DATE] > node.deadline:
                    return Outcome(
                        False,
                        [
                            _(
                                "{what} reached {date}, after the {deadline} deadline",
                                what=what,
                                date=records[0][DATE],
                                deadline=node.deadline,
                            )
                        ],
                        [],
                    )
                return Outcome(True, [], records[:1])
            case n.NoEvent():
                records = sorted(self.records(node), key=by_date)
                if records:
                    shown = join_names(_("{event} ({date})", event=r[EVENT_ID], date=r[DATE]) for r in records[:5])
                    return Outcome(False, [_("{source} occurred: {events}", source=render_source(node.source), events=shown)], [])
                return Outcome(True, [], [])
            case n.ValueCompare() if isinstance(node.left, n.Latest) and self.program.is_word(node):
                # `latest FIELD of KIND = word`: the latest event's value, compared as it is
                assert isinstance(node.right, n.NameRef), "is_word holds only for a bare word on the right"
                records = [r for r in self.records(node.left) if r[VALUE] is not None]
                what = render_aggregate(node.left)
                if not records:
                    return Outcome(False, [_("no {kind} reported for {what}", kind=node.left.source.kind, what=what)], [])
                latest = max(records, key=by_date)
                word: str | bool = node.right.name
                have = latest[VALUE]
                if isinstance(have, bool):
                    word = word == "true"
                if COMPARE[node.op](have, word):
                    return Outcome(True, [], [latest])
                return Outcome(
                    False,
                    [
                        _(
                            "{what} is {have} ({event}); needs {op} {wanted}",
                            what=what,
                            have=fmt(have),
                            event=latest[EVENT_ID],
                            op=node.op,
                            wanted=node.right.name,
                        )
                    ],
                    [],
                )
            case n.UnitIs():
                have = self.unit.attribute(node.attribute) if self.unit is not None else None
                if node.op == "in":
                    assert isinstance(node.value, tuple), "`in` lists its values"
                    wanted_values = [n.plain_value(v) for v in node.value]
                    holds = have in wanted_values
                    needs = f"in ({', '.join(fmt(v) for v in wanted_values)})"
                else:
                    wanted = _attribute_value(node.value, have)
                    holds = have is not None and COMPARE[node.op](have, wanted) if node.op != "!=" else have != wanted
                    needs = f"{node.op} {fmt(wanted)}"
                if holds:
                    return Outcome(True, [], [])
                shown = _("not set") if have is None else fmt(have)
                return Outcome(
                    False, [_("the unit's {attribute} is {have}; needs {needs}", attribute=node.attribute, have=shown, needs=needs)], []
                )
            case n.MemberVetoed():
                vetoed = [m.unit for m in self.members if m.vetoed]
                if vetoed:
                    return Outcome(True, [], [])
                return Outcome(False, [_("no member was vetoed")], [])
            case n.AggCompare():
                value, records = self.aggregate(node.aggregate)
                wanted = node.number.value
                if value is None:
                    return Outcome(
                        False,
                        [_("no {kind} reported for {what}", kind=node.aggregate.source.kind, what=render_aggregate(node.aggregate))],
                        [],
                    )
                if COMPARE[node.op](value, wanted):
                    return Outcome(True, [], records)
                return Outcome(
                    False,
                    [
                        _(
                            "{what} is {have}; needs {op} {wanted}",
                            what=render_aggregate(node.aggregate),
                            have=fmt(value),
                            op=node.op,
                            wanted=node.number.literal,
                        )
                    ],
                    [],
                )
            case n.EveryMonth():
                short = []
                used: list = []
                keys = self.period_keys(node.period)
                for key in keys:
                    holds, left, right = self.compare_in(node, key)
                    if not holds:
                        shown = fmt(left.number if left.number is not None else 0)
                        if not isinstance(node.right, n.Number):  # say what it was compared with, in that period
                            shown += " " + _("against {value}", value=fmt(right.number) if right.number is not None else _("no value"))
                        short.append(_("{period} ({value})", period=period_text(node.period, key), value=shown))
                    used += left.records + right.records
                if short:
                    condition = f"{render_expr(node.left)} {node.op} {render_expr(node.right)}"
                    return Outcome(
                        False,
                        [
                            _(
                                "{condition} failed in {failed} of {periods}: {which}",
                                condition=condition,
                                failed=len(short),
                                periods=period_count(node.period, len(keys)),
                                which=join_names(short),
                            )
                        ],
                        [],
                    )
                return Outcome(True, [], used)
            case n.And():
                results = [self.condition(p) for p in node.parts]
                holds = all(r.holds for r in results)
                return Outcome(holds, [m for r in results for m in r.reasons], [x for r in results for x in r.records] if holds else [])
            case n.Or():
                results = [self.condition(p) for p in node.parts]
                holds = any(r.holds for r in results)
                return Outcome(
                    holds, [] if holds else [m for r in results for m in r.reasons], next((r.records for r in results if r.holds), [])
                )
            case n.Not():
                holds = self.condition(node.part).holds
                return Outcome(not holds, [] if not holds else [_("`{condition}` holds", condition=render_condition(node.part))], [])
            case n.ValueCompare():
                return Outcome(*self.values.compare(node))
            case n.NameRef():  # a named condition: worked out once per unit
                if node.name not in self._conditions:
                    holds, reasons, records = self.condition(self.program.lets[node.name].body)
                    reasons = [_("{name}: {reason}", name=node.name, reason=reason) for reason in reasons] or (
                        [] if holds else [_("{name} does not hold", name=node.name)]
                    )
                    self._conditions[node.name] = Outcome(holds, reasons, records)
                return self._conditions[node.name]
            case _:
                raise NoCase("the condition evaluation (UnitEvaluation.condition)", node)

    # ---- rules
    def rule(self, rule: n.Rule) -> RuleOutcome:
        """The rule's points, and its provenance as a lazy list (built only when read)."""
        amount = rule.amount
        sign = -1 if rule.verb == "deduct" else 1
        notes: list[str] = []
        contributions: Callable[[], Sequence[Contribution]] = tuple
        count = noun = None
        match amount:
            case n.PerEach():
                raw, contributions, count, noun = self._per_each(amount)
                if amount.beyond is not None:
                    notes.append(_("{count} counted, the first {beyond} earn nothing", count=count, beyond=amount.beyond.literal))
            case n.PerEachBy():
                records = self.records(amount)
                # Sum the quantities per rate first: one multiplication per rate, not per event.
                by_rate: dict = {}
                for r in records:
                    by_rate[r[VALUE][1]] = by_rate.get(r[VALUE][1], 0) + r[QUANTITY]
                raw = sum((rate * quantity for rate, quantity in by_rate.items()), ZERO)
                count, noun = sum(by_rate.values()), self.program.memo(render_source, amount.source)
                field = amount.field

                def contributions():
                    return [
                        Contribution(
                            r[EVENT_ID],
                            r[DATE],
                            r[VALUE][1] * r[QUANTITY],
                            f"{field} {r[VALUE][0]}" + (f" × {r[QUANTITY]}" if r[QUANTITY] != 1 else ""),
                        )
                        for r in sorted(records, key=by_date)
                    ]
            case n.When():
                holds, reasons, records = self.condition(amount.condition)
                raw = amount.points.value if holds else ZERO
                if holds:
                    first = min(records, key=by_date) if records else None
                    text = render_condition(amount.condition)
                    compared = self.values.held(amount.condition)
                    if compared:  # a comparison of values: say what they were, not only which event came first
                        text = f"{text}: {compared}"
                        first = None

                    def contributions():
                        return [Contribution(first[EVENT_ID] if first else None, first[DATE] if first else None, raw, text)]

                notes += reasons
            case n.PointsOf() if amount.condition is not None and not (held := self.condition(amount.condition)).holds:
                raw = ZERO  # `VALUE when CONDITION` and the condition does not hold: no points, and say why
                notes += [_("not awarded: {condition} does not hold", condition=render_condition(amount.condition))] + held.reasons

                def contributions():
                    return []
            case n.PointsOf():
                raw, _used, value_notes = self.values.points_of(amount)
                shown = self.values.shown(amount.value, self.values.value(amount.value))
                notes += value_notes or ([] if raw else [shown])

                def contributions():
                    return [Contribution(None, None, raw, shown)] if raw else []
            case n.Tiered():
                raw, _used, value_notes, chosen = self.values.tiered(amount)
                notes += value_notes

                def contributions():
                    return [Contribution(None, None, raw, chosen)] if raw else []
            case n.ByRank():
                placed = self.placements.get(id(amount))
                raw = placed.points if placed is not None else ZERO
                text = _place_text(placed)
                if not raw:
                    notes.append(text)

                def contributions():
                    return [Contribution(None, None, raw, text)] if raw else []
            case n.Always():
                raw = amount.points.value

                def contributions():
                    return [Contribution(None, None, raw, _("awarded outright"))]
            case n.ShareOf():
                value, records = self.aggregate(amount.aggregate)
                factor = amount.factor.value
                raw = factor * (value or ZERO)
                literal = amount.factor.literal

                def contributions():
                    if isinstance(amount.aggregate, n.Sum):
                        return [
                            Contribution(
                                r[EVENT_ID],
                                r[DATE],
                                factor * Decimal(r[VALUE]) * r[QUANTITY],
                                _("{share} of {value}", share=literal, value=fmt(r[VALUE])),
                            )
                            for r in sorted(records, key=by_date)
                        ]
                    return [Contribution(None, None, raw, _("{share} of {value}", share=literal, value=fmt(value)))]
            case n.Prorated():
                met = [
                    m
                    for m in self.months
                    if (v := self.aggregate(amount.aggregate, m)[0]) is not None and COMPARE[amount.op](v, amount.number.value)
                ]
                raw = amount.points.value * len(met) / len(self.months) if self.months else ZERO
                missed = [month_label(m) for m in self.months if m not in met]
                if missed:
                    notes.append(
                        _(
                            "{met} of {months} months met; missed: {missed}",
                            met=len(met),
                            months=len(self.months),
                            missed=join_names(missed),
                        )
                    )
                else:
                    notes.append(_("{met} of {months} months met", met=len(met), months=len(self.months)))
                share = _("{met}/{months} months", met=len(met), months=len(self.months))

                def contributions():
                    return [Contribution(None, None, raw, share)]
            case _:
                raise NoCase("the rule evaluation's amount dispatch (UnitEvaluation.rule)", amount)
        notes += self._notes
        uncounted = tuple(self._uncounted)
        self._notes, self._uncounted = [], []
        if count == 0 and rule.verb != "deduct" and noun:
            notes.append(_("no {noun} counted in the period", noun=noun))
        cap_note = None
        points = raw
        label = tr(VERB_LABELS[rule.verb])
        if rule.period_caps:
            points, contributions, period_notes = self._cap_per_period(rule, contributions, label)
            notes += period_notes
            cap_note = join_clauses(period_notes) or None
        cap, cap_text = self.limit(rule.cap)
        if rule.cap is not None and cap is None:
            notes.append(_("not capped: {reason}", reason=cap_text))
        elif cap is not None and points > max(cap, ZERO):
            if cap < ZERO:  # a cap bounds what the rule gives or takes: below 0 it gives nothing, never turns the rule around
                overall = _(
                    "{label} capped at {cap}, below 0, so nothing (uncapped {points})", label=label, cap=cap_text, points=fmt(points)
                )
                cap = ZERO
            else:
                overall = _("{label} capped at {cap} (uncapped {points})", label=label, cap=cap_text, points=fmt(points))
            if count is not None:
                overall = _("{count} {noun} found; {capped}", count=count, noun=noun, capped=overall)
            cap_note = join_clauses([cap_note, overall]) if cap_note else overall
            points = cap
            notes.append(overall)
        make = contributions
        signed = Lazy(lambda: [Contribution(c.event_id, c.date, sign * c.points, c.what) for c in make()])
        placed = self.placements.get(id(amount)) if isinstance(amount, n.ByRank) else None
        return RuleOutcome(
            rule.verb,
            self.program.memo(render_rule, rule),
            sign * points or ZERO,
            sign * raw or ZERO,
            signed,
            tuple(notes),
            cap_note,
            uncounted,
            placed,
        )

    def limit(self, node) -> tuple[Decimal | None, str]:
        """A cap's or floor's value for this unit and how explain writes it: `10` as written, or a value with
        what it came to (`indicator_max of 指标甲 (10)`); (None, why) when the value has none (no limit)."""
        if node is None:
            return None, ""
        if isinstance(node, n.Number):
            return node.value, node.literal
        value = self.values.value(node)
        if value.number is None:
            return None, self.values.shown(node, value)
        return value.number, _("{text} ({parts})", text=render_expr(node), parts=fmt(value.number))

    def _cap_per_period(self, rule: n.Rule, contributions, label: str):
        """`at most 10 a month and 120 a year`: each event is paid in date order while every period it falls in
        has room, so a month's cap and a year's cap both hold. (points, contributions, notes)."""
        running: dict = {}
        paid_list = []
        hit: dict = {}
        unbounded = []  # a cap whose value has none for this unit limits nothing: say so
        bounds = {}  # id(PeriodCap) → (its value for this unit, as explain writes it)
        for cap in rule.period_caps:
            bound, text = self.limit(cap.points)
            if bound is None:
                unbounded.append(_("not capped: {reason}", reason=text))
            else:
                bounds[id(cap)] = (bound, text)
        caps = [cap for cap in rule.period_caps if id(cap) in bounds]
        for c in sorted(contributions(), key=lambda c: (c.date is None, c.date)):
            keys = [(cap, period_key(cap.period, c.date)) for cap in caps]
            room = min((bounds[id(cap)][0] - running.get((cap.period, key), ZERO) for cap, key in keys), default=c.points)
            paid = max(min(c.points, room), ZERO)
            for cap, key in keys:
                running[(cap.period, key)] = running.get((cap.period, key), ZERO) + paid
                if paid < c.points and running[(cap.period, key)] >= bounds[id(cap)][0]:
                    hit.setdefault((cap.period, key), cap)
            what = (
                c.what
                if paid == c.points
                else _("{what} (over the cap: {points} not counted)", what=c.what, points=fmt(c.points - paid)).strip()
            )
            paid_list.append(Contribution(c.event_id, c.date, paid, what))
        notes = [
            _(
                "{label} capped at {cap} {each} in {when}",
                label=label,
                cap=bounds[id(cap)][1],
                each=tr(EACH_PERIOD[period]),
                when=period_text(period, key),
            )
            for (period, key), cap in hit.items()
        ]
        return sum((c.points for c in paid_list), ZERO), lambda: paid_list, unbounded + notes

    def _shortfall_per_period(self, countable: n.Shortfall, points, beyond):
        """`KIND short of VALUE a month`: each month's shortfall (the value worked out for that month, never below
        0), added up over the months of the period scored; one ledger line per month that fell short."""
        unit = countable.period
        assert unit is not None, "called for a shortfall counted per period"
        records = self.records(countable)
        short = []  # (period key, missing, what)
        for key in self.period_keys(unit):
            bucket = self.bucket(unit, key)
            wanted = self.values.value(countable.wanted, bucket)
            have = sum(r[QUANTITY] for r in self._in_month(records, bucket))
            if wanted.number is None:
                short_note = _("{value}; nothing counted short", value=self.values.shown(countable.wanted, wanted))
                self._notes.append(_("{name}: {reason}", name=period_text(unit, key), reason=short_note))
                continue
            missing = max(wanted.number - have, ZERO)
            if missing:
                short.append(
                    (
                        key,
                        missing,
                        _(
                            "{period}: {have} of {wanted}, {missing} short",
                            period=period_text(unit, key),
                            have=have,
                            wanted=fmt(wanted.number),
                            missing=fmt(missing),
                        ),
                    )
                )
        count = sum((missing for _key, missing, _what in short), ZERO)
        if not short:
            self._notes.append(_("no {period} short of {wanted}", period=unit, wanted=render_expr(countable.wanted)))

        def contributions():
            paying = beyond_paid(Decimal(beyond), [missing for _key, missing, _what in short])
            return [Contribution(None, None, points * paid, what) for (_key, _missing, what), paid in zip(short, paying)]

        return points * max(count - beyond, 0), contributions, count, None

    def _within(self, countable: n.Within, points, beyond):
        """`A within N days after B` / `A without B within N days`, matched by key when `of the same F`."""
        keyed = countable.other.key is not None
        others: dict = {}
        for r in self.records(countable.other):
            others.setdefault(r[VALUE] if keyed else None, []).append(r[DATE])
        span = datetime.timedelta(days=countable.days)
        cut = self.bounds[1] if self.bounds else self.program.window.end
        counted, pending = [], 0
        for r in sorted(self.records(countable.subject), key=by_date):
            key = r[VALUE] if keyed else None
            if keyed and key is None:
                continue
            dates = others.get(key, ())
            if countable.without:
                if any(r[DATE] <= d <= r[DATE] + span for d in dates):
                    continue
                if r[DATE] + span > cut:  # its N days have not passed by the as-of date: not late yet
                    pending += r[QUANTITY]
                    continue
                what = _("no {kind} within {days} days", kind=countable.other.source.kind, days=countable.days)
                if keyed:
                    what = _("{what} ({field} {value})", what=what, field=countable.other.key, value=key)
            else:
                match = [d for d in dates if d <= r[DATE] <= d + span]
                if not match:
                    continue
                what = _(
                    "{days} days after {kind} of {date}",
                    days=(r[DATE] - max(match)).days,
                    kind=countable.other.source.kind,
                    date=max(match),
                )
            counted.append((r, r[QUANTITY], what))
        if pending:
            waiting = _(
                "{count} {kind} still within their {days} days on {date}: not counted yet",
                count=pending,
                kind=countable.subject.source.kind,
                days=countable.days,
                date=cut,
            )
            self._notes.append(waiting)
            self._uncounted.append(waiting)
        count = sum(c for _record, c, _what in counted)

        def contributions():
            return paid_contributions(counted, beyond, points)

        return points * max(count - beyond, 0), contributions, count, render_source(countable.subject.source)

    def _across_units(self, countable, points, beyond):
        """`first|later KIND per FIELD` and `KIND shared per FIELD`: this unit's events against every unit's."""
        records = self.records(countable)
        index = self.program.slots[slot_for(countable)]
        first, holders = self.across.get(index) or ({}, {})
        counted = []  # (record, how many of its quantity count, what)
        for r in sorted(records, key=by_date):
            key = r[VALUE]
            if key is None:
                continue
            if isinstance(countable, n.SharedPer):
                sharers = len(holders.get(key, ())) or 1
                shared = (
                    _("{field} {value}: shared by {count} unit", field=countable.field, value=key, count=sharers)
                    if sharers == 1
                    else _("{field} {value}: shared by {count} units", field=countable.field, value=key, count=sharers)
                )
                counted.append((r, Decimal(r[QUANTITY]) / sharers, shared))
                continue
            earliest = first.get(key)
            is_first = earliest is not None and earliest[0] == (r[DATE], r[SEQ])
            if countable.first:
                if is_first:
                    counted.append((r, 1, _("first {field} {value}", field=countable.field, value=key)))
            else:
                later = r[QUANTITY] - (1 if is_first else 0)
                if later:
                    by = f"{earliest[1]} {earliest[0][0]}" if earliest else "?"
                    counted.append((r, later, _("later {field} {value} (first: {first})", field=countable.field, value=key, first=by)))
        count = sum((c for _record, c, _what in counted), 0)
        paid = max(count - beyond, 0)

        def contributions():
            return paid_contributions(counted, beyond, points)

        if isinstance(countable, n.SharedPer):
            noun = _("shared {kind}", kind=countable.source.kind)
        elif countable.first:
            noun = _("first {kind}", kind=countable.source.kind)
        else:
            noun = _("later {kind}", kind=countable.source.kind)
        return points * paid, contributions, count, noun

    def _beyond(self, amount: n.PerEach):
        """How many counted things earn nothing: `beyond N` or `beyond VALUE` (no value: none)."""
        if amount.beyond is None:
            return 0
        if isinstance(amount.beyond, n.Number):
            return int(amount.beyond.value)
        value = self.values.value(amount.beyond).number
        return value if value is not None else 0

    def _per_each(self, amount: n.PerEach):
        points = amount.points.value
        beyond = self._beyond(amount)
        countable = amount.countable
        match countable:
            case n.FirstPer() | n.SharedPer():
                return self._across_units(countable, points, beyond)
            case n.Within():
                return self._within(countable, points, beyond)
            case n.Shortfall(period=str()):
                return self._shortfall_per_period(countable, points, beyond)
            case n.Steps() | n.Shortfall():
                if isinstance(countable, n.Steps):
                    count, note = self.values.steps(countable)
                else:
                    count, _records, note = self.values.shortfall(countable)
                paid = max(count - beyond, 0)

                def contributions():
                    return [Contribution(None, None, points * paid, note)] if paid else []

                if not paid:
                    self._notes.append(note)
                return points * paid, contributions, count, None
            case n.Events():
                records = self.records(countable)
                count = sum(map(_quantity, records))

                def contributions():
                    dated = sorted(records, key=by_date)
                    return [
                        Contribution(r[EVENT_ID], r[DATE], points * paid, f"× {r[QUANTITY]}" if r[QUANTITY] != 1 else "")
                        for r, paid in zip(dated, beyond_paid(beyond, [r[QUANTITY] for r in dated]))
                    ]

                return points * max(count - beyond, 0), contributions, count, self.program.memo(render_source, countable.source)
            case n.DistinctValues():
                whose = countable.whose
                value_of: Callable[[Any], object]  # a record's value: a tuple or the value itself
                if whose:  # records hold (distinct value, tested value)
                    records = self.records(countable)
                    value_of = operator.itemgetter(0)
                else:  # records hold the value itself
                    records = self.records(countable)
                    value_of = _itself
                by_value: dict = {}
                for r in sorted(records, key=by_date):
                    if value_of(r[VALUE]) is not None:
                        by_value.setdefault(value_of(r[VALUE]), []).append(r)
                counted = []
                for value, group in by_value.items():
                    if whose:
                        latest = group[-1]
                        test = latest[VALUE][1]
                        if test is None or not COMPARE[whose.op](test, n.plain_value(whose.value)):
                            continue
                        counted.append((value, latest, _("{value}: latest {field} {have}", value=value, field=whose.field, have=fmt(test))))
                    else:
                        counted.append((value, group[0], str(value)))

                def contributions():
                    return [
                        Contribution(r[EVENT_ID], r[DATE], points if index >= beyond else ZERO, what)
                        for index, (value, r, what) in enumerate(counted)
                    ]

                return points * max(len(counted) - beyond, 0), contributions, len(counted), _("distinct {field}", field=countable.field)
            case n.MonthsWithout() | n.MonthsWhere():
                unit = countable.period
                if isinstance(countable, n.MonthsWithout):
                    present = {bucket_of(r, unit) for r in self.records(countable)}
                    months = [key for key in self.period_keys(unit) if key not in present]
                    source = render_source(countable.source)

                    def what(period: str) -> str:
                        return _("no {source} in {period}", source=source, period=period)
                else:
                    months = [key for key in self.period_keys(unit) if self.compare_in(countable, key)[0]]

                    def what(period: str) -> str:
                        return _("met in {period}", period=period)

                def contributions():
                    return [
                        Contribution(None, None, points if index >= beyond else ZERO, what(period_text(unit, m)))
                        for index, m in enumerate(months)
                    ]

                return points * max(len(months) - beyond, 0), contributions, len(months), tr(PERIOD_PLURALS[unit])
            case _:
                raise NoCase("the rule evaluation's countable dispatch (UnitEvaluation._per_each)", countable)


_quantity = operator.itemgetter(QUANTITY)


def _kinds_read(item: n.ItemDecl) -> frozenset:
    rules = list(item.rules) + [rule for part in item.parts for rule in part.rules]
    return frozenset(s.kind for rule in rules for s in n.sources_of(rule.amount))


def bucket_of(record, unit: str):
    """The key of the week, month, quarter or year a record falls in."""
    if unit == "month":
        return record[MONTH]
    if unit == "quarter":
        return record[MONTH] // 3
    if unit == "year":
        return record[MONTH] // 12
    return week_key(record[DATE])


def period_key(unit: str, day):
    """The key of the week, month, quarter or year a date falls in (as bucket_of gives for records)."""
    if unit == "week":
        return week_key(day)
    month = month_key(day)
    return month if unit == "month" else month // 3 if unit == "quarter" else month // 12


def period_text(unit: str, key) -> str:
    """A bucket as people name it: 2009-05, 2022-Q1, 2022, 2022-W05."""
    if unit == "month":
        return month_label(key)
    if unit == "quarter":
        year, quarter = divmod(key, 4)
        return _("{year}-Q{quarter}", year=str(year).zfill(4), quarter=quarter + 1)
    if unit == "year":
        return f"{key:04d}"
    return _("{year}-W{week}", year=str(key[0]).zfill(4), week=str(key[1]).zfill(2))


# The words for periods (`at most 10 a month`, `months without …`), marked here, translated where shown.
VERB_LABELS = {"deduct": N_("deduction"), "bonus": N_("bonus"), "award": N_("award")}
EACH_PERIOD = {"week": N_("a week"), "month": N_("a month"), "quarter": N_("a quarter"), "year": N_("a year")}
PERIOD_PLURALS = {"week": N_("weeks"), "month": N_("months"), "quarter": N_("quarters"), "year": N_("years")}


def period_count(unit: str, count: int) -> str:
    """`9 months`, `2 quarters` (one message per period: languages count them differently)."""
    match unit:
        case "week":
            return _("{count} weeks", count=count)
        case "month":
            return _("{count} months", count=count)
        case "quarter":
            return _("{count} quarters", count=count)
        case "year":
            return _("{count} years", count=count)
    raise ValueError(f"period_count: no words for the period {unit!r}")


def _attribute_value(value, have):
    """A condition's value as the unit attribute holds it: true/false as bool, numbers as Decimal."""
    if isinstance(value, n.Word) and isinstance(have, bool) and value.name in ("true", "false"):
        return value.name == "true"
    return n.plain_value(value)


def beyond_paid(beyond, amounts: list) -> list:
    """`… for each … beyond M`: of each counted amount in turn, the part past the first `beyond` (M) counted."""
    paid, skipped = [], beyond
    for amount in amounts:
        paid.append(max(amount - skipped, 0))
        skipped = max(skipped - amount, 0)
    return paid


def paid_contributions(counted: list, beyond, points) -> list[Contribution]:
    """Each (record, count, what) counted, as the points it earns once the first `beyond` are passed over."""
    paying = beyond_paid(beyond, [count for _record, count, _what in counted])
    return [Contribution(r[EVENT_ID], r[DATE], points * paid, what) for (r, _count, what), paid in zip(counted, paying)]


def _itself(value):
    return value


def _exact(result: ItemResult) -> Decimal:
    assert result.exact is not None, "evaluate_item gives every result its exact points"
    return result.exact


def evaluate_item(ev: UnitEvaluation, item: n.ItemDecl, section_id: str, exclusions) -> ItemResult:
    program = ev.program
    limits: list[str] = []
    if item.parts:
        parts = [evaluate_item(ev, part, section_id, exclusions) for part in item.parts]
        # Rounded once, at the item: the conversion takes the parts' exact points, not their rounded display.
        raw_scale = sum((_exact(p) for p in parts), ZERO)
        scale = item.scale
        assert scale is not None, "an item with parts converts their points on its scale"
        if scale.raw_floor is not None and raw_scale < scale.raw_floor.value:
            limits.append(
                _(
                    "raw {raw} on the {scale}-point scale raised to the floor {floor}",
                    raw=fmt(raw_scale),
                    scale=scale.raw.literal,
                    floor=scale.raw_floor.literal,
                )
            )
            raw_scale = scale.raw_floor.value
        full, points = scale.raw.value, scale.points.value
        award = points * min(raw_scale, full) / full
        extra = points * max(raw_scale - full, ZERO) / full
        if scale.extra_cap is None:
            extra_allowed = ZERO
        else:
            extra_allowed = scale.extra_cap.value
        if extra > extra_allowed:
            limits.append(
                _(
                    "extra for {raw} of {scale} is {extra}; capped at {cap}",
                    raw=fmt(raw_scale),
                    scale=scale.raw.literal,
                    extra=fmt(program.round(extra)),
                    cap=fmt(extra_allowed),
                )
            )
            extra = extra_allowed
        deduction = ZERO
        bonus = extra
        rules: tuple = ()
        why: list[str] = []
        waiting: list[str] = []  # the scale's parts say their own
        if raw_scale < full:
            why.append(
                _(
                    "{raw} of {scale} scale points; {points} needs {scale}",
                    raw=fmt(raw_scale),
                    scale=scale.raw.literal,
                    points=scale.points.literal,
                )
            )
    else:
        parts = []
        outcomes = [ev.rule(rule) for rule in item.rules]
        rules = tuple(outcomes)
        award = sum((o.points for o in outcomes if o.verb == "award"), ZERO)
        bonus = sum((o.points for o in outcomes if o.verb == "bonus"), ZERO)
        deduction = -sum((o.points for o in outcomes if o.verb == "deduct"), ZERO)
        limits += [o.cap_note for o in outcomes if o.cap_note is not None]
        for joint in item.joint_caps:  # after each rule's own cap: what several rules give (or take) together
            cut = _joint_cut(ev, item, joint, outcomes, limits)
            if joint.verb == "award":
                award -= cut
            elif joint.verb == "bonus":
                bonus -= cut
            else:
                deduction -= cut
        why = [note for o in outcomes if o.verb != "deduct" and o.points == 0 for note in o.notes]
        waiting = [note for o in outcomes if o.verb != "deduct" and o.points == 0 for note in o.uncounted_notes]
        why += [_("deducted {points}: {rule}", points=fmt(-o.points), rule=o.rule) for o in outcomes if o.verb == "deduct" and o.points]
    raw = award + bonus - deduction
    value, limits = _item_bounds(ev, item, raw, limits)
    score = program.round(value)
    base = item.base.value if item.base is not None else None
    kinds = program.memo(_kinds_read, item)
    skipped = [e for e in exclusions if e.kind in kinds]
    not_counted: list[str] = []
    for e in skipped:  # `require A at least N days after B`: each event left out, and why
        if e.reason is ExclusionReason.REQUIRED_GAP:
            not_counted.append(
                _("{kind} {event_id} of {date} was not counted: {detail}", kind=e.kind, event_id=e.event_id, date=e.date, detail=e.detail)
            )
    skipped = [e for e in skipped if e.reason is not ExclusionReason.REQUIRED_GAP]
    if skipped:
        counts: dict = {}
        for e in skipped:
            counts[e.reason] = counts.get(e.reason, 0) + e.count
        for reason, count in counts.items():
            bound = {
                ExclusionReason.BEFORE_WINDOW: _("dated before {date}", date=program.window.start),
                ExclusionReason.AFTER_WINDOW: _("dated after {date}", date=program.window.end),
                ExclusionReason.AFTER_AS_OF: _("dated after the as-of date"),
                ExclusionReason.BEFORE_PERIOD: _("dated before the period scored ({date})", date=ev.bounds[0] if ev.bounds else ""),
                ExclusionReason.AFTER_PERIOD: _("dated after the period scored"),
            }[reason]
            # Exclusions are known by kind, not by this item's filters: say exactly that.
            kinds_text = "/".join(sorted({e.kind for e in skipped if e.reason == reason}))
            if reason is ExclusionReason.AFTER_AS_OF:  # not the window's doing, so no clause to cite
                if count == 1:
                    note = _("{count} {kinds} event {bound} was not counted yet", count=count, kinds=kinds_text, bound=bound)
                else:
                    note = _("{count} {kinds} events {bound} were not counted yet", count=count, kinds=kinds_text, bound=bound)
            elif count == 1:
                note = _("{count} {kinds} event {bound} was not counted", count=count, kinds=kinds_text, bound=bound)
            else:
                note = _("{count} {kinds} events {bound} were not counted", count=count, kinds=kinds_text, bound=bound)
            if program.window_clause and reason in (ExclusionReason.BEFORE_WINDOW, ExclusionReason.AFTER_WINDOW):
                note = _("{clause}: {note}", clause=program.window_clause.clause_id, note=note)  # the window's clause
            not_counted.append(note)
    # An item at or above its base needs no "why not"; events left out are worth saying either way.
    at_base = base is not None and score >= base
    why = not_counted if at_base else why + not_counted
    uncounted = not_counted if at_base else waiting + not_counted
    return ItemResult(
        item.item_id,
        item.title,
        score,
        base,
        award,
        bonus,
        deduction,
        raw,
        tuple(limits),
        tuple(why),
        rules,
        tuple(parts),
        item.responsible,
        item.assisting,
        item.text,
        section_id,
        value,
        why_not_uncounted=tuple(uncounted),
    )


def graded(item: n.ItemDecl, result: ItemResult) -> ItemResult:
    """The item (and each of its parts) with the grade its `grade by score: …` bands give its score: the first band
    that holds, tried in order, with a note saying so and why each band before it did not hold."""
    decls = {part.item_id: part for part in item.parts}
    parts = tuple(graded(decls[p.item_id], p) if p.item_id in decls else p for p in result.parts)
    if item.grades is None:
        return attrs.evolve(result, parts=parts) if parts != result.parts else result
    score, notes = result.score, []
    for band in item.grades.bands:
        label = band.label if band.label is not None else _("no grade")
        if band.holds(score):
            if band.op is None or band.number is None:
                notes.append(_("grade {label}: otherwise", label=label) if band.label is not None else _("no grade: otherwise"))
            elif band.label is None:
                notes.append(_("no grade: {score} {op} {number}", score=fmt(score), op=band.op, number=band.number.literal))
            else:
                notes.append(
                    _("grade {label}: {score} {op} {number}", label=label, score=fmt(score), op=band.op, number=band.number.literal)
                )
            return attrs.evolve(result, parts=parts, grade=band.label, grade_notes=tuple(notes))
        assert band.op is not None and band.number is not None  # `otherwise` always holds
        notes.append(_("not {label}: {score} is not {op} {number}", label=label, score=fmt(score), op=band.op, number=band.number.literal))
    notes.append(_("no grade: no band holds"))
    return attrs.evolve(result, parts=parts, grade=None, grade_notes=tuple(notes))


def evaluate_unit(program, slots, months, exclusions, target=None, bounds=None, unit=None, ev: UnitEvaluation | None = None):
    """The unit's item results in rubric order, scored in dependency order (an item whose condition reads
    another's score comes after it; `ev.total` is set once every counted item is known), and its named
    values and conditions as (name, value) pairs (None: no value)."""
    ev = ev or UnitEvaluation(program, slots, months, target, bounds, unit)
    evaluate_items(ev, exclusions, program.order)
    return finish_unit(ev)


def evaluate_items(ev: UnitEvaluation, exclusions, item_ids) -> None:
    """Score the top-level items among `item_ids` (in that order) into `ev.scores`; set `ev.total` once every
    counted item is known."""
    program = ev.program
    sections = program.memo(_sections_of, program.rubric)
    tops = program.memo(_tops_of, program.rubric)
    for item_id in item_ids:
        if item_id not in tops:
            continue  # a part: scored with its item
        ev.scores[item_id] = result = graded(tops[item_id], scored_item(ev, tops[item_id], sections[item_id], exclusions))
        for part in result.parts:
            ev.scores[part.item_id] = part
        if ev.total is None and all(c in ev.scores for c in program.total_needs):
            ev.total = floored_total(program, unit_total(ev)[0])


def unit_total(ev: UnitEvaluation) -> tuple[Decimal | None, tuple[str, ...]]:
    """The unit's total before `total floor`/`total cap`: the sum of the items counted in it, or the value of
    `total is VALUE` (rounded like an item; None when it has no value), with what explain says of it."""
    program = ev.program
    total_is = program.rubric.total_is
    if total_is is None:
        tops = program.memo(_tops_of, program.rubric)
        return sum((ev.scores[i].score for i, item in tops.items() if item.in_total and i in ev.scores), ZERO), ()
    value = ev.values.value(total_is.value)
    shown = _("worked out as {value}", value=ev.values.shown(total_is.value, value))
    if value.number is None:
        return None, (shown + _("; no score"),)
    return program.round(value.number), (shown,)


def _sections_of(rubric: n.Rubric) -> dict:
    return {item.item_id: section.section_id for section in rubric.sections for item in section.items}


def _tops_of(rubric: n.Rubric) -> dict:
    return {item.item_id: item for section in rubric.sections for item in section.items}


def rank_rules(item: n.ItemDecl) -> list[n.ByRank]:
    """The points-by-rank amounts of an item and its parts."""
    rules = list(item.rules) + [rule for part in item.parts for rule in part.rules]
    return [rule.amount for rule in rules if isinstance(rule.amount, n.ByRank)]


def scoring_stages(rubric: n.Rubric, order: list) -> list[list]:
    """The evaluation order cut before each item that scores by rank: every unit scores one stage before any unit
    starts the next, so the values a rank compares (scores of earlier items included) are known for every peer."""
    tops = _tops_of(rubric)
    stages: list[list] = [[]]
    for item_id in order:
        if item_id in tops and rank_rules(tops[item_id]) and stages[-1]:
            stages.append([])
        stages[-1].append(item_id)
    return stages


def place_units(program: Any, evaluations: dict, item_id: str) -> None:
    """Points by rank for the rules of one item: each listed unit's value, ranked among its peers (the units with
    its value of `within`), best first; equal values share a place. Unlisted units and units whose value has none
    are not ranked."""
    item = program.memo(_tops_of, program.rubric).get(item_id)
    for amount in rank_rules(item) if item is not None else ():
        points_of = {place.rank: place.points.value for place in amount.places}
        other = amount.otherwise.value if amount.otherwise is not None else ZERO
        values: dict[str, Any] = {}
        pools: dict[Any, list[str]] = {}
        for name, ev in evaluations.items():
            if ev.unit is None:
                ev.placements[id(amount)] = None
                continue
            values[name] = ev.values.value(amount.value)
            pool = ev.unit.attribute(amount.within) if amount.within else None
            pools.setdefault(pool, []).append(name)
        for pool, names in pools.items():
            ranked = [values[name].number for name in names if values[name].number is not None]
            for name in names:
                ev, value = evaluations[name], values[name]
                shown = ev.values.shown(amount.value, value)
                within = f"{amount.within} {pool}" if amount.within else None
                if value.number is None:
                    ev.placements[id(amount)] = RankPlace(None, len(ranked), None, within, ZERO, shown)
                    continue
                better = sum(1 for v in ranked if (v < value.number if amount.lowest_first else v > value.number))
                tied = sum(1 for v in ranked if v == value.number)
                rank = better + 1
                if amount.ties == "split":
                    points = sum((points_of.get(r, other) for r in range(rank, rank + tied)), ZERO) / tied
                else:
                    points = points_of.get(rank, other)
                ev.placements[id(amount)] = RankPlace(rank, len(ranked), value.number, within, points, shown)


def _place_text(placed: RankPlace | None) -> str:
    """What explain says of a unit's place: `rank 2 of 5 (within group counties): count adopted is 12`."""
    if placed is None:
        return _("not ranked: the unit is not in the rubric's tables")
    if placed.rank is None:
        return _("not ranked: {value}", value=placed.shown)
    where = _(" (within {pool})", pool=placed.within) if placed.within else ""
    text = _("rank {rank} of {count}{where}: {value}", rank=placed.rank, count=placed.of, where=where, value=placed.shown)
    return text if placed.points else text + _("; no points for that place")


def finish_unit(ev: UnitEvaluation):
    """The unit's item results in rubric order and its named values, once every item is scored."""
    program = ev.program
    tops = program.memo(_tops_of, program.rubric)
    if ev.total is None:
        ev.total = floored_total(program, unit_total(ev)[0])
    return [ev.scores[item_id] for item_id in tops], named_results(ev)


def floored_total(program: Any, total: Decimal | None) -> Decimal | None:
    """`total floor N` and `total cap N`: the unit's total is never below the floor nor above the cap (its items
    keep their own scores)."""
    return limited_total(program, total)[0]


def limited_total(program: Any, total: Decimal | None) -> tuple[Decimal | None, tuple[str, ...]]:
    """The unit's total within `total floor N` and `total cap N`, and what explain says when one of them moved it."""
    floor, cap = program.rubric.total_floor, program.rubric.total_cap
    if total is None:
        return None, ()
    if floor is not None and total < floor.points.value:
        return floor.points.value, (
            _("the items add up to {raw}, raised to the total floor {floor}", raw=fmt(total), floor=floor.points.literal),
        )
    if cap is not None and total > cap.points.value:
        return cap.points.value, (_("the items add up to {raw}, lowered to the total cap {cap}", raw=fmt(total), cap=cap.points.literal),)
    return total, ()


def named_results(ev: UnitEvaluation) -> tuple:
    """Every `let` for this unit: a Decimal (or None) for a named value, True/False for a named condition."""
    out: list[tuple[str, bool | Decimal | None]] = []
    for name, _let in ev.program.lets.items():
        if name in ev.program.named_conditions:
            out.append((name, ev.condition(n.NameRef(name)).holds))
        else:
            out.append((name, ev.values.name(name).number))
    return tuple(out)


def scored_item(ev: UnitEvaluation, item: n.ItemDecl, section_id: str, exclusions) -> ItemResult:
    """An item with its unit-level lines applied: `scored per` (sub-entities combined), `only when`, `not in the total`."""
    if item.scored_per is not None:
        result = _per_entity(ev, item, section_id, exclusions)
    else:
        result = evaluate_item(ev, item, section_id, exclusions)
    return _finish_scored(ev, item, result)


def _finish_scored(ev: UnitEvaluation, item: n.ItemDecl, result: ItemResult) -> ItemResult:
    """`only when` and `not in the total` on an item's result (for a `scored per` item, `only when` was
    already applied to each sub-entity, with its own events)."""
    if item.only_when is not None and item.scored_per is None:
        holds, reasons, _records = ev.condition(item.only_when)
        if not holds:
            text = ev.program.memo(render_condition, item.only_when)
            why = (_("not counted: only when {condition}; {reasons}", condition=text, reasons=join_clauses(reasons)),)
            result = result.zeroed(why + result.why_not_uncounted, uncounted=result.score)
    if not item.in_total:
        result = attrs.evolve(result, in_total=False)
    return result


# How a combined `scored per` score is described (`sum of 3 school scores: …`), one message per way.
COMBINED_SCORES = {
    "sum": N_("sum of {count} {field} scores: {scores}"),
    "average": N_("average of {count} {field} scores: {scores}"),
}

PICKS: dict[str, Callable[[list[Decimal]], Decimal]] = {
    "sum": lambda scores: sum(scores, ZERO),
    "average": lambda scores: sum(scores, ZERO) / len(scores),
    "highest": max,
    "lowest": min,
}


def _per_entity(ev: UnitEvaluation, item: n.ItemDecl, section_id: str, exclusions) -> ItemResult:
    """Score the item once per sub-entity (each distinct value of the field), then combine: the latest
    entity's score, or the sum / average / highest / lowest of them."""
    per = item.scored_per
    assert per is not None, "_per_entity scores the items that say `scored per`"
    defining = sorted((r for r in ev.defining_records(per) if r[VALUE] is not None), key=by_date)
    latest_of: dict = {}
    for r in defining:
        latest_of[r[VALUE]] = r  # sorted by date: the last seen is the entity's latest event
    program = ev.program
    if not latest_of:
        # Nothing to score: the item scores 0 whatever it combines (a school never inspected is not given
        # the 100 of an inspection without findings).
        result = evaluate_item(
            UnitEvaluation(program, ev.slots, ev.months, ev.target, ev.bounds, ev.unit, (per, object())), item, section_id, exclusions
        )
        nothing = _("no {source} reported, so nothing to score per {field}: 0", source=render_source(per.source), field=per.field)
        return result.zeroed((nothing,), uncounted=result.uncounted)
    # Each sub-entity is scored with its own events (rules, `at most`, `when` and `only when` included);
    # the item's cap and floor bound the combined score.
    unbounded = program.memo(_without_bounds, item)
    results = {}
    for value in latest_of:
        sub = ev.for_entity(per, value)
        one = evaluate_item(sub, unbounded, section_id, exclusions)
        if item.only_when is not None:
            holds, reasons, _records = sub.condition(item.only_when)
            if not holds:
                text = program.memo(render_condition, item.only_when)
                one = one.zeroed(
                    (_("not counted: only when {condition}; {reasons}", condition=text, reasons=join_clauses(reasons)),),
                    uncounted=one.score,
                )
        # each line names its sub-entity
        named = tuple(_("{field} {value}: {reason}", field=per.field, value=value, reason=w) for w in one.why_not)
        # each rule's notes name the sub-entity too: summed or averaged, every sub-entity's rules are shown in turn
        rules = tuple(
            attrs.evolve(r, notes=tuple(_("{field} {value}: {reason}", field=per.field, value=value, reason=note) for note in r.notes))
            if r.notes
            else r
            for r in one.rules
        )
        results[value] = attrs.evolve(one, why_not=named, rules=rules)
    combined = _combined(ev, per, latest_of, results)
    return _bounded(ev, item, attrs.evolve(combined, entity_rules=tuple(r.rules for r in results.values())))


def _without_bounds(item: n.ItemDecl) -> n.ItemDecl:
    return attrs.evolve(item, cap=None, floor=None)


def _joint_cut(ev: UnitEvaluation, item: n.ItemDecl, joint: n.JointCap, outcomes: list, limits: list[str]) -> Decimal:
    """How much a joint cap takes off its rules' points together (0 when they stay within it); says so in `limits`."""
    from ..language.render import render_joint_cap

    together = abs(sum((outcomes[index].points for index in n.joint_rules(item, joint)), ZERO))
    cap, cap_text = ev.limit(joint.cap)
    shown = ev.program.memo(render_joint_cap, joint)
    if cap is None:
        limits.append(_("not capped: {rule}: {reason}", rule=shown, reason=cap_text))
        return ZERO
    if together <= max(cap, ZERO):
        return ZERO
    if cap < ZERO:  # below 0 the rules together give nothing: the limit never turns them around
        limits.append(_("{rule}: {together} capped at {cap}, below 0, so nothing", rule=shown, together=fmt(together), cap=cap_text))
        return together
    limits.append(_("{rule}: {together} capped at {cap}", rule=shown, together=fmt(together), cap=cap_text))
    return together - cap


def _item_bounds(ev: UnitEvaluation, item: n.ItemDecl, raw: Decimal, limits: list[str]) -> tuple[Decimal, list[str]]:
    """The item's `floor` and `cap` (numbers, or values worked out for the unit) on its raw score."""
    value = raw
    floor, floor_text = ev.limit(item.floor)
    cap, cap_text = ev.limit(item.cap)
    for node, bound, text in ((item.floor, floor, floor_text), (item.cap, cap, cap_text)):
        if node is not None and bound is None:
            limits.append(_("no floor: {reason}", reason=text) if node is item.floor else _("no cap: {reason}", reason=text))
    if floor is not None and value < floor:
        limits.append(_("score {score} raised to the floor {floor}", score=fmt(raw), floor=floor_text))
        value = floor
    if cap is not None and value > cap:
        limits.append(_("score {score} lowered to the cap {cap}", score=fmt(raw), cap=cap_text))
        value = cap
    return value, limits


def _bounded(ev: UnitEvaluation, item: n.ItemDecl, result: ItemResult) -> ItemResult:
    """The item's floor and cap on a combined `scored per` score."""
    program = ev.program
    value, limits = _item_bounds(ev, item, result.score, list(result.limits))
    if value == result.score:
        return result
    value = program.round(value)
    return attrs.evolve(result, score=value, exact=value, limits=tuple(limits))


def _combined(ev: UnitEvaluation, per: n.ScoredPer, latest_of: dict, results: dict) -> ItemResult:
    count = len(results)
    if per.pick in ("latest", "highest", "lowest"):
        if per.pick == "latest":
            chosen = max(latest_of, key=lambda value: by_date(latest_of[value]))
            how = _("the latest of {count}", count=count)
        else:
            pick = max if per.pick == "highest" else min
            chosen = pick(results, key=lambda value: results[value].score)
            how = _("the highest of {count}", count=count) if per.pick == "highest" else _("the lowest of {count}", count=count)
        result = results[chosen]
        note = _("{field} {value} ({how})", field=per.field, value=chosen, how=how)
        return attrs.evolve(result, limits=(note,) + result.limits, chosen=(per.name, chosen))
    scores = [r.score for r in results.values()]
    value = ev.program.round(PICKS[per.pick](scores))
    rules = tuple(rule for r in results.values() for rule in r.rules)
    shown = join_names(f"{key} {fmt(r.score)}" for key, r in results.items())
    first = next(iter(results.values()))
    return attrs.evolve(
        first,
        score=value,
        exact=value,
        raw=value,
        award=sum((r.award for r in results.values()), ZERO),
        bonus=sum((r.bonus for r in results.values()), ZERO),
        deduction=sum((r.deduction for r in results.values()), ZERO),
        rules=rules,
        limits=(tr(COMBINED_SCORES[per.pick]).format(count=count, field=per.field, scores=shown),),
        why_not=tuple(w for r in results.values() for w in r.why_not),
    )
