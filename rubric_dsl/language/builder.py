"""Lark tree → typed AST: statement nodes with spans, then the structured Rubric."""

from __future__ import annotations

import datetime
from typing import Protocol, TypeVar, cast

import lark
from lark import Token, Transformer, v_args

from ..i18n import _
from . import nodes as n
from .diagnostics import Diagnostic, RubricError
from .parser import parse_tree


def span_of(meta_or_token) -> n.Span:
    item = meta_or_token
    if getattr(item, "empty", False):
        return n.NO_SPAN
    return n.Span(item.line, item.column, item.end_line, item.end_column)


# Longer numbers are slips (a pasted id, a stuck key); this bound also keeps every sum of points far
# inside the 28 significant digits of exact decimal arithmetic, and int() inside its 4300-digit limit.
MAX_DIGITS = 15
KNOWN_ESCAPES = frozenset({'\\"', "\\\\", "\\n", "\\t"})


def unquote(token: Token) -> str:
    body = str(token)[1:-1]
    if "\\" not in body:
        return body
    out, chars = [], iter(body)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
        else:
            out.append(ch)
    return "".join(out)


def _tokens(children, type_):
    return [c for c in children if isinstance(c, Token) and c.type == type_]


def _trees(children, data):
    return [c for c in children if isinstance(c, lark.Tree) and c.data == data]


@v_args(meta=True)
class _ToStatements(Transformer):
    """Builds one statement node per source line; collects bad dates instead of stopping."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    # ---- tokens
    def DATE(self, token):
        try:
            return datetime.date.fromisoformat(str(token))
        except ValueError:
            self.diagnostics.append(
                Diagnostic(
                    self.path,
                    token.line,
                    token.column,
                    "E103",
                    _("`{token}` is not a real date", token=token),
                    hint=_("dates are YYYY-MM-DD with a valid month and day"),
                    end_line=token.line,
                    end_column=token.end_column,
                )
            )
            return datetime.date(1, 1, 1)

    def _too_long(self, token) -> bool:
        digits = sum(ch.isdigit() for ch in str(token))
        if digits <= MAX_DIGITS:
            return False
        shown = str(token) if len(token) <= 24 else f"{str(token)[:12]}…{str(token)[-4:]}"
        self.diagnostics.append(
            Diagnostic(
                self.path,
                token.line,
                token.column,
                "E104",
                _(
                    "the number {shown} has {digits} digits; a rubric's numbers have at most {MAX_DIGITS}",
                    shown=shown,
                    digits=digits,
                    MAX_DIGITS=MAX_DIGITS,
                ),
                hint=_("points, targets and counts in a written method are far smaller: check for a slip"),
                end_line=token.end_line,
                end_column=token.end_column,
            )
        )
        return True

    def NUMBER(self, token):
        return n.Number("0" if self._too_long(token) else str(token))

    def STRING(self, token):
        body = str(token)[1:-1]
        at = 0
        while (at := body.find("\\", at)) >= 0:
            escape = body[at : at + 2]
            if escape not in KNOWN_ESCAPES:
                column = token.column + 1 + at
                self.diagnostics.append(
                    Diagnostic(
                        self.path,
                        token.line,
                        column,
                        "E106",
                        _("unknown escape `{escape}` in quoted text", escape=escape),
                        hint=_('quoted text knows \\" (a quote), \\\\ (a backslash), \\n (a new line) and \\t (a tab)'),
                        end_line=token.line,
                        end_column=column + len(escape),
                    )
                )
            at += 2
        return n.Text(unquote(token))

    def NAME(self, token):
        return str(token)

    def ID(self, token):
        return str(token)

    def INT(self, token):
        return "0" if self._too_long(token) else str(token)

    def VERB(self, token):
        return str(token)

    def CMP(self, token):
        return str(token)

    # ---- header
    def start(self, meta, children):
        return [c for c in children if c is not None]

    def title(self, meta, c):
        return n.Title(c[0].value, span=span_of(meta))

    def heading_field(self, meta, c):
        return n.Heading(c[0].value, str(c[1]), span=span_of(meta))

    def heading_skipped(self, meta, c):
        return n.Heading(c[0].value, None, span=span_of(meta))

    def source(self, meta, c):
        return n.SourceDoc(c[0].value, span=span_of(meta))

    def window(self, meta, c):
        return n.Window(c[0], c[1], span=span_of(meta))

    def precision(self, meta, c):
        return n.Precision(int(c[0]), c[1] if len(c) > 1 else "half_up", span=span_of(meta))

    def total(self, meta, c):
        return n.Total(c[0], span=span_of(meta))

    def total_floor(self, meta, c):
        return n.TotalFloor(c[0], span=span_of(meta))

    def total_cap(self, meta, c):
        return n.TotalCap(c[0], span=span_of(meta))

    def total_is(self, meta, c):
        return n.TotalIs(c[0], span=span_of(meta))

    def clause(self, meta, c):
        return n.Clause(c[0], c[1].value, span=span_of(meta))

    def unlisted(self, meta, c):
        return n.Unlisted(c[0], span=span_of(meta))

    def scored_apart(self, meta, c):
        return "scored_apart"

    def rejected(self, meta, c):
        return "rejected"

    def group(self, meta, c):
        label = next((x.value for x in c[1:] if isinstance(x, n.Text)), None)
        target = next((x for x in c[1:] if isinstance(x, n.Number)), None)
        attributes = next((x[1] for x in c[1:] if isinstance(x, tuple) and x[0] == "with"), ())
        return n.Group(c[0], label, target, attributes, span=span_of(meta))

    def unit(self, meta, c):
        target = next((x for x in c[1:] if isinstance(x, n.Number)), None)
        aliases = next((x[1] for x in c[1:] if isinstance(x, tuple) and x[0] == "also"), ())
        attributes = next((x[1] for x in c[1:] if isinstance(x, tuple) and x[0] == "with"), ())
        return n.Unit(c[0].value, target, aliases, attributes, span=span_of(meta))

    def unit_aliases(self, meta, c):
        return ("also", tuple(x.value for x in c))

    def language(self, meta, c):
        return n.Language(str(c[0]), span=span_of(meta))

    def office(self, meta, c):
        return n.Office(c[0].value, span=span_of(meta))

    def document_number(self, meta, c):
        return n.DocumentNumber(c[0].value, span=span_of(meta))

    def subject(self, meta, c):
        return n.Subject(c[0].value, span=span_of(meta))

    def signature(self, meta, c):
        return n.Signature(c[0].value, span=span_of(meta))

    def unit_names(self, meta, c):
        return n.UnitNames(span=span_of(meta))

    def with_attributes(self, meta, c):
        return ("with", tuple(c))

    def unit_attr(self, meta, c):
        return (c[0], c[1])

    def attribute(self, meta, c):
        return n.Attribute(c[0], c[1], tuple(c[2:]), span=span_of(meta))

    def units_from(self, meta, c):
        return n.UnitsFrom(c[0].value, span=span_of(meta))

    def bulletin(self, meta, c):
        return n.Bulletin(tuple(c), span=span_of(meta))

    def commend_completion(self, meta, c):
        return n.CommendCompletion(c[0], c[1], span=span_of(meta))

    def commend_top(self, meta, c):
        per = str(c[1]) if len(c) > 1 else None  # `per group`, or `per ATTRIBUTE` (kind, region, …)
        return n.CommendTop(int(c[0]), per == "group", per if per not in (None, "group") else None, span=span_of(meta))

    # ---- events
    def event(self, meta, c):
        return n.EventKind(c[0], c[1].value if len(c) > 1 else None, span=span_of(meta))

    def field(self, meta, c):
        return n.Field(c[0], c[1], tuple(c[2:]), span=span_of(meta))

    def type_text(self, meta, c):
        return n.FieldType("text")

    def type_integer(self, meta, c):
        return n.FieldType("integer")

    def type_decimal(self, meta, c):
        return n.FieldType("decimal")

    def type_date(self, meta, c):
        return n.FieldType("date")

    def type_boolean(self, meta, c):
        return n.FieldType("boolean")

    def type_table(self, meta, c):
        return n.FieldType("table", (c[0],))

    def type_enum(self, meta, c):
        return n.FieldType("enum", tuple(x.value if isinstance(x, n.Text) else x for x in c))

    def opt_optional(self, meta, c):
        return n.FieldOption("optional")

    def opt_default(self, meta, c):
        return n.FieldOption("default", (c[0],))

    def opt_required_when(self, meta, c):
        return n.FieldOption("required_when", (c[0],))

    def opt_only_when(self, meta, c):
        return n.FieldOption("only_when", (c[0],))

    def opt_range(self, meta, c):
        return n.FieldOption("range", (c[0], c[1]))

    def opt_min(self, meta, c):
        return n.FieldOption("min", (c[0],))

    def opt_max(self, meta, c):
        return n.FieldOption("max", (c[0],))

    def opt_range_when(self, meta, c):
        return n.FieldOption("range_when", (c[0], c[1], c[2]))

    def opt_min_when(self, meta, c):
        return n.FieldOption("min_when", (c[0], c[1]))

    def opt_max_when(self, meta, c):
        return n.FieldOption("max_when", (c[0], c[1]))

    # ---- sections and items
    def section(self, meta, c):
        return n.SectionHead(c[0], c[1].value, c[2] if len(c) > 2 else None, span=span_of(meta))

    def item(self, meta, c):
        return n.ItemHead(c[0], c[1].value, c[2] if len(c) > 2 else None, span=span_of(meta))

    def part(self, meta, c):
        return n.PartHead(c[0], c[1].value, span=span_of(meta))

    def text(self, meta, c):
        return n.ClauseText(c[0].value, span=span_of(meta))

    def responsible(self, meta, c):
        return n.Responsible(tuple(x.value for x in c), span=span_of(meta))

    def assisting(self, meta, c):
        return n.Assisting(tuple(x.value for x in c), span=span_of(meta))

    def floor(self, meta, c):
        return n.Floor(c[0], span=span_of(meta))

    def cap(self, meta, c):
        return n.Cap(c[0], span=span_of(meta))

    def scale(self, meta, c):
        extra = next((x[1] for x in c[2:] if isinstance(x, tuple) and x[0] == "extra"), None)
        raw_floor = next((x[1] for x in c[2:] if isinstance(x, tuple) and x[0] == "raw_floor"), None)
        return n.Scale(c[0], c[1], extra, raw_floor, span=span_of(meta))

    def scale_extra(self, meta, c):
        return ("extra", c[0])

    def scale_raw_floor(self, meta, c):
        return ("raw_floor", c[0])

    def only_when(self, meta, c):
        return n.OnlyWhen(c[0], span=span_of(meta))

    def scored_per(self, meta, c):
        return n.ScoredPer(c[0], c[1], str(c[2]), c[3] if len(c) > 3 else None, span=span_of(meta))

    def not_in_total(self, meta, c):
        return n.NotInTotal(span=span_of(meta))

    # ---- unit outcomes
    def PICK(self, token):
        return str(token)

    def grade_label(self, meta, c):
        return c[0]  # a bare word (where `none` means no grade) or quoted Text

    @staticmethod
    def _label(label):
        if isinstance(label, n.Text):
            return label.value
        return None if label == "none" else label

    def otherwise(self, meta, c):
        return None

    def item_grades(self, meta, c):
        return n.ItemGrades(tuple(c), span=span_of(meta))

    def band_when(self, meta, c):
        return n.GradeBand(self._label(c[0]), str(c[1]), c[2])

    def band_otherwise(self, meta, c):
        return n.GradeBand(self._label(c[0]))

    def grade(self, meta, c):
        return n.GradeRule(self._label(c[0]), c[1], span=span_of(meta))

    def status(self, meta, c):
        return n.StatusRule(c[0].value, c[1], span=span_of(meta))

    def veto(self, meta, c):
        outcome = dict(c[1:])
        return n.Veto(c[0], "no_score" in outcome, outcome.get("score"), outcome.get("grade"), outcome.get("status"), span=span_of(meta))

    def veto_no_score(self, meta, c):
        return ("no_score", True)

    def veto_score(self, meta, c):
        return ("score", c[0])

    def veto_grade(self, meta, c):
        return ("grade", self._label(c[0]))

    def veto_status(self, meta, c):
        return ("status", c[0].value)

    def rank(self, meta, c):
        within = c[0] if isinstance(c[0], str) else None
        keys = tuple(x for x in c if isinstance(x, n.RankKey))
        return n.Rank(within, keys, span=span_of(meta))

    def rank_total(self, meta, c):
        return n.RankKey("total", lowest_first=bool(c and c[0]))

    def rank_score(self, meta, c):
        return n.RankKey("score", item=c[0], lowest_first=bool(len(c) > 1 and c[1]))

    def rank_countback(self, meta, c):
        return n.RankKey("countback", field=c[0], source=c[1])

    def lowest_first(self, meta, c):
        return True

    def highest_first(self, meta, c):
        return False

    def combine(self, meta, c):
        return n.Combine(c[0], c[1], span=span_of(meta))

    def require(self, meta, c):
        key = c[3] if len(c) > 3 else None
        return n.Require(n.KeyedEvents(c[0], key), n.KeyedEvents(c[2], key), int(c[1]), span=span_of(meta))

    # ---- rules
    def rule(self, meta, c):
        amount, cap = c[1]
        overall, per_period = cap if isinstance(cap, tuple) else (cap, ())
        return n.Rule(c[0], amount, overall, per_period, span=span_of(meta))

    def joint_cap(self, meta, c):
        return n.JointCap(str(c[0]), tuple(c[1:-1]), c[-1], span=span_of(meta))

    def cap_suffix(self, meta, c):
        # one cap without a period (the whole period scored) and any number of caps per week/month/quarter/year
        overall = next((points for points, unit in c if unit is None), None)
        return ("cap", (overall, tuple(n.PeriodCap(points, unit) for points, unit in c if unit is not None)))

    def cap_term(self, meta, c):
        # `N a PERIOD` (a number each period), or the whole period's cap: a number or any value
        return (c[0], c[1] if len(c) > 1 else None)

    @staticmethod
    def _split_cap(c):
        if c and isinstance(c[-1], tuple) and c[-1][0] == "cap":
            return list(c[:-1]), c[-1][1]
        return list(c), None

    def per_each(self, meta, c):
        c, cap = self._split_cap(c)
        return n.PerEach(c[0], c[1], c[2] if len(c) > 2 else None), cap

    def value_amount(self, meta, c):
        c, cap = self._split_cap(c)
        # A bare number is the old unconditional award; anything else is "points equal to the value".
        return (n.Always(c[0]) if isinstance(c[0], n.Number) else n.PointsOf(c[0])), cap

    def tiered(self, meta, c):
        c, cap = self._split_cap(c)
        tiers = tuple(x for x in c[1:] if isinstance(x, n.Tier))
        otherwise = c[-1] if isinstance(c[-1], n.Number) else None
        return n.Tiered(c[0], tiers, otherwise), cap

    def by_rank(self, meta, c):
        c, cap = self._split_cap(c)
        value, rest = c[0], c[1:]
        lowest_first = bool(rest and isinstance(rest[0], bool) and rest.pop(0))
        within = rest.pop(0) if rest and isinstance(rest[0], str) else None
        ties = rest.pop(0)[1] if rest and isinstance(rest[0], tuple) else "share"
        places = tuple(x for x in rest if isinstance(x, n.Place))
        otherwise = rest[-1] if rest and isinstance(rest[-1], n.Number) else None
        return n.ByRank(value, places, otherwise, within, lowest_first, ties), cap

    def place(self, meta, c):
        return n.Place(int(c[0]), c[1])

    def ties_share(self, meta, c):
        return ("ties", "share")

    def ties_split(self, meta, c):
        return ("ties", "split")

    def tier(self, meta, c):
        return n.Tier(c[0], c[1], c[2])

    def per_each_by(self, meta, c):
        c, cap = self._split_cap(c)
        return n.PerEachBy(c[0], c[1], tuple(c[2:])), cap

    def when(self, meta, c):
        c, cap = self._split_cap(c)
        # a number when …: the fixed award; a value when …: points equal to the value while the condition holds
        return (n.When(c[0], c[1]) if isinstance(c[0], n.Number) else n.PointsOf(c[0], c[1])), cap

    def share_of(self, meta, c):
        c, cap = self._split_cap(c)
        return n.ShareOf(c[0], c[1]), cap

    def prorated(self, meta, c):
        return n.Prorated(c[0], c[1], c[2], c[3]), None

    def rate(self, meta, c):
        return n.Rate(c[0].value if isinstance(c[0], n.Text) else c[0], c[1])

    def count_events(self, meta, c):
        return n.Events(c[0])

    def count_distinct(self, meta, c):
        return n.DistinctValues(c[0], c[1], c[2] if len(c) > 2 else None)

    def whose(self, meta, c):
        return n.Whose(c[0], c[1], c[2])

    def count_months_without(self, meta, c):
        return n.MonthsWithout(c[1], period=c[0])

    def count_months_where(self, meta, c):
        return n.MonthsWhere(c[1], c[2], c[3], period=c[0])

    def unit_week(self, meta, c):
        return "week"

    def unit_month(self, meta, c):
        return "month"

    def unit_quarter(self, meta, c):
        return "quarter"

    def unit_year(self, meta, c):
        return "year"

    def period_length(self, meta, c):
        return n.PeriodLength(c[0], span=span_of(meta))

    def period_declared(self, meta, c):
        label = c[1].value if isinstance(c[1], n.Text) else None
        return n.PeriodDecl(c[0], label, c[-2], c[-1], span=span_of(meta))

    def count_shortfall(self, meta, c):
        return n.Shortfall(c[0], c[1], c[2] if len(c) > 2 else None)

    def count_steps(self, meta, c):
        return n.Steps(c[0], c[1], c[2], c[3], whole=False)

    def count_full_steps(self, meta, c):
        return n.Steps(c[0], c[1], c[2], c[3], whole=True)

    def count_within(self, meta, c):
        key = c[3] if len(c) > 3 else None
        return n.Within(n.KeyedEvents(c[0], key), n.KeyedEvents(c[2], key), int(c[1]))

    def count_without_within(self, meta, c):
        key = c[2] if len(c) > 3 else None
        return n.Within(n.KeyedEvents(c[0], key), n.KeyedEvents(c[1], key), int(c[-1]), without=True)

    def same_key(self, meta, c):
        return c[0]

    def atom_recent(self, meta, c):
        return n.Recent(c[0], int(c[1]))

    def count_first(self, meta, c):
        return n.FirstPer(c[0], c[1], first=True)

    def count_later(self, meta, c):
        return n.FirstPer(c[0], c[1], first=False)

    def count_shared(self, meta, c):
        return n.SharedPer(c[0], c[1])

    def step_beyond(self, meta, c):
        return "beyond"

    def step_below(self, meta, c):
        return "below"

    def kind_filter(self, meta, c):
        return n.Source(c[0], c[1] if len(c) > 1 else None, span=span_of(meta))

    simple_kind_filter = kind_filter

    def agg_count(self, meta, c):
        return n.Count(c[0])

    def agg_sum(self, meta, c):
        return n.Sum(c[0], c[1])

    def agg_latest(self, meta, c):
        return n.Latest(c[0], c[1])

    def agg_distinct(self, meta, c):
        return n.Distinct(c[0], c[1])

    def agg_months_without(self, meta, c):
        return n.MonthsWithout(c[1], period=c[0])

    def agg_average(self, meta, c):
        return n.Average(c[0], c[1])

    def agg_min(self, meta, c):
        return n.Minimum(c[0], c[1])

    def agg_max(self, meta, c):
        return n.Maximum(c[0], c[1])

    # ---- value expressions (nodes.py lists where a new atom is added)
    def expr_add(self, meta, c):
        return n.Arith("+", c[0], c[1])

    def expr_subtract(self, meta, c):
        return n.Arith("-", c[0], c[1])

    def expr_multiply(self, meta, c):
        return n.Arith("*", c[0], c[1])

    def expr_divide(self, meta, c):
        return n.Arith("/", c[0], c[1])

    def expr_negate(self, meta, c):
        return n.Negate(c[0])

    def expr_otherwise(self, meta, c):
        return c[0] if len(c) == 1 else n.Otherwise(c[0], c[1])

    def atom_target(self, meta, c):
        return n.UnitTarget()

    def atom_periods(self, meta, c):
        return n.PeriodCount(c[0])

    def atom_days(self, meta, c):
        return n.PeriodCount("day")

    def atom_name(self, meta, c):
        return n.NameRef(c[0], span=span_of(meta))

    def let(self, meta, c):
        return n.Let(c[0], c[1], span=span_of(meta))

    # Lark keeps an aliased `?rule` even with one child; a lone child is not a conjunction.
    def cond_or(self, meta, c):
        return c[0] if len(c) == 1 else n.Or(tuple(c))

    def cond_and(self, meta, c):
        return c[0] if len(c) == 1 else n.And(tuple(c))

    def cond_not(self, meta, c):
        return n.Not(c[0])

    def cond_reached(self, meta, c):
        return n.Reached(c[0], c[1] if len(c) > 1 else None)

    def cond_none(self, meta, c):
        return n.NoEvent(c[0])

    def cond_compare(self, meta, c):
        left, op, right = c
        # `AGGREGATE op NUMBER` keeps its 0.1 node, so its results and explain lines stay as they were.
        if isinstance(left, n.AGGREGATES) and isinstance(right, n.Number):
            return n.AggCompare(left, op, right)
        return n.ValueCompare(left, op, right)

    def cond_every_month(self, meta, c):
        return n.EveryMonth(c[1], c[2], c[3], period=c[0])

    def atom_total(self, meta, c):
        return n.UnitTotal()

    def atom_score(self, meta, c):
        return n.ScoreOf(c[0], span=span_of(meta))

    def atom_table_entry(self, meta, c):
        return n.TableEntry(c[0], c[1], span=span_of(meta))

    def table_key(self, meta, c):
        return c[0].value if isinstance(c[0], n.Text) else c[0]

    def cond_unit(self, meta, c):
        return n.UnitIs(c[0], c[1], c[2], span=span_of(meta))

    def cond_unit_in(self, meta, c):
        return n.UnitIs(c[0], "in", tuple(c[1:]), span=span_of(meta))

    def cond_member_vetoed(self, meta, c):
        return n.MemberVetoed()

    filter_or = cond_or
    filter_and = cond_and
    filter_not = cond_not

    def filter_compare(self, meta, c):
        return n.Compare(c[0], c[1], c[2], span=span_of(meta))

    def filter_in(self, meta, c):
        return n.In(c[0], tuple(c[1:]), span=span_of(meta))

    # `unit` is a keyword (of `unit "…"` lines and `unit ATTR = …` tests): as the event's field it is spelt out here
    def filter_compare_unit(self, meta, c):
        return n.Compare("unit", c[0], c[1], span=span_of(meta))

    def filter_in_unit(self, meta, c):
        return n.In("unit", tuple(c), span=span_of(meta))

    def word(self, meta, c):
        return n.Word(c[0])


def parse_statements(text: str, path: str = "<rubric>") -> list:
    """Rubric text → the flat list of statement nodes (one per line), or RubricError."""
    tree = parse_tree(text, path)
    builder = _ToStatements(path)
    try:
        statements = builder.transform(tree)
    except lark.exceptions.VisitError as error:
        raise error.orig_exc from None
    if builder.diagnostics:
        raise RubricError(builder.diagnostics, text)
    return statements


# ---- structure: which statement belongs to which block ---------------------------------

BULLETIN_LINES = (n.Language, n.Office, n.DocumentNumber, n.Subject, n.Signature)
HEADER_ONCE = (
    n.TotalFloor,
    n.TotalIs,
    n.TotalCap,
    n.PeriodLength,
    n.Title,
    n.SourceDoc,
    n.Window,
    n.Precision,
    n.Total,
    n.Unlisted,
    n.UnitNames,
    n.Bulletin,
    *BULLETIN_LINES,
    n.UnitsFrom,
    n.Rank,
    n.Combine,
)
# Statements about the whole unit (not inside an item): collected in source order.
UNIT_OUTCOMES = {n.GradeRule: "grades", n.StatusRule: "statuses", n.Veto: "vetoes", n.Require: "requirements"}
CITABLE = (
    n.TotalFloor,
    n.TotalIs,
    n.TotalCap,
    n.PeriodLength,
    n.PeriodDecl,
    n.Window,
    n.Unlisted,
    n.UnitNames,
    n.Bulletin,
    n.CommendCompletion,
    n.CommendTop,
    n.Precision,
    n.Total,
    n.Title,
    n.SourceDoc,
    n.Group,
    n.Unit,
    n.Attribute,
    n.UnitsFrom,
    n.GradeRule,
    n.StatusRule,
    n.Veto,
    n.Rank,
    n.Combine,
    n.Let,  # a named value or condition the document defines in a sentence of its own
    n.Require,
)
STATEMENT_WORD = {
    n.Title: "rubric",
    n.SourceDoc: "source",
    n.Heading: "heading",
    n.Window: "window",
    n.Precision: "precision",
    n.Total: "total",
    n.TotalFloor: "total floor",
    n.TotalCap: "total cap",
    n.TotalIs: "total is",
    n.Unlisted: "unlisted units",
    n.UnitNames: "unit names match across scripts",
    n.Language: "language",
    n.Office: "office",
    n.DocumentNumber: "document number",
    n.Subject: "subject",
    n.Signature: "signature",
    n.Bulletin: "bulletin",
    n.Field: "field",
    n.ClauseText: "text",
    n.Responsible: "responsible",
    n.Assisting: "assisting",
    n.Floor: "floor",
    n.Cap: "cap",
    n.Scale: "scale",
    n.Rule: "a rule",
    n.JointCap: "together at most",
    n.Unit: "unit",
    n.PartHead: "part",
    n.Clause: "clause",
    n.ItemHead: "item",
    n.Let: "let",
    n.PeriodLength: "period",
    n.UnitsFrom: "units from",
    n.Rank: "rank",
    n.Combine: "combine members",
    n.Require: "require",
    n.OnlyWhen: "only when",
    n.ScoredPer: "scored per",
    n.NotInTotal: "not in the total",
    n.ItemGrades: "grade by score",
}


# Lines of an item (or part) that a `clause` line may follow to cite the item.
ITEM_LINES = (
    n.ItemHead,
    n.PartHead,
    n.Rule,
    n.JointCap,
    n.Let,
    n.ClauseText,
    n.Responsible,
    n.Assisting,
    n.Floor,
    n.Cap,
    n.Scale,
    n.ItemGrades,
)

# Item lines that set one attribute of the current item (or part): attribute, and the value it takes.
ITEM_ATTRIBUTES = {
    n.ClauseText: ("text", lambda st: st.text),
    n.Responsible: ("responsible", lambda st: st.names),
    n.Assisting: ("assisting", lambda st: st.names),
    n.Floor: ("floor", lambda st: st.points),
    n.Cap: ("cap", lambda st: st.points),
    n.Scale: ("scale", lambda st: st),
    n.OnlyWhen: ("only_when", lambda st: st.condition),
    n.ScoredPer: ("scored_per", lambda st: st),
    n.NotInTotal: ("not_in_total", lambda st: st),
    n.ItemGrades: ("grades", lambda st: st),
}


class _ItemBuilder:
    def __init__(self, head, is_part, parent=None):
        self.head = head
        self.is_part = is_part
        self.parent = parent  # for a part: the item whose scale it is counted on
        self.text = None
        self.responsible = ()
        self.assisting = ()
        self.rules = []
        self.joint_caps = []
        self.floor = None
        self.cap = None
        self.scale = None
        self.only_when = None
        self.scored_per = None
        self.not_in_total = None
        self.grades = None
        self.parts = []

    def build(self) -> n.ItemDecl:
        return n.ItemDecl(
            self.head.item_id,
            self.head.title,
            getattr(self.head, "base", None),
            self.text,
            self.responsible,
            self.assisting,
            tuple(self.rules),
            self.floor,
            self.cap,
            self.scale,
            tuple(p.build() for p in self.parts),
            self.is_part,
            span=self.head.span,
            only_when=self.only_when,
            scored_per=self.scored_per,
            in_total=self.not_in_total is None,
            joint_caps=tuple(self.joint_caps),
            grades=self.grades,
        )


class _Placed(Protocol):
    """A statement: every node knows where it was written."""

    @property
    def span(self) -> n.Span: ...


_Line = TypeVar("_Line")


def _header_line(header: dict[type, _Placed], kind: type[_Line]) -> _Line | None:
    """The once-only header line of `kind`, if written. `header` holds each line under its own type, so
    the line found is a `kind`: the cast states what the dict's type cannot."""
    return cast("_Line | None", header.get(kind))


def structure(statements: list, path: str = "<rubric>", source: str | None = None) -> tuple[n.Rubric, list]:
    """Assemble the flat statements into a Rubric; returns it and the structural diagnostics."""
    diagnostics: list[Diagnostic] = []

    def error(node, code, message, hint=None):
        s = node.span
        diagnostics.append(Diagnostic(path, s.line, s.column, code, message, hint=hint, end_line=s.end_line, end_column=s.end_column))

    header: dict[type, _Placed] = {}
    outcomes: dict[str, list] = {name: [] for name in UNIT_OUTCOMES.values()}
    attributes = []
    commend = None
    headings = []
    clauses = []
    groups = []  # [Group, [Unit]]
    kinds = []  # [EventKind, [Field]]
    sections = []  # [SectionHead, [_ItemBuilder]]
    item = None  # the current _ItemBuilder (item or part)
    lets = []  # named values and conditions: rubric-wide wherever they are written
    item_clauses = []  # (clause id, item id) for `clause` lines written inside an item
    periods = []  # declared periods (`period H1 2010-01-01 to 2010-06-30`)
    block = None  # "group" | "event" | "section" | "item"
    previous = None

    for st in statements:
        kind = type(st)
        if kind in HEADER_ONCE:
            if kind in header:
                first = header[kind].span.line
                error(
                    st,
                    "E203",
                    _("`{STATEMENT_WORD}` is given twice (first on line {first})", STATEMENT_WORD=STATEMENT_WORD[kind], first=first),
                    hint=_("keep one of them"),
                )
            else:
                header[kind] = st
            block = None  # a header line ends the event or item above it
        elif kind in UNIT_OUTCOMES:
            outcomes[UNIT_OUTCOMES[kind]].append(st)
            block = None
        elif kind is n.Attribute:
            attributes.append(st)
            block = None
        elif kind in (n.CommendCompletion, n.CommendTop):
            if commend is not None:
                error(st, "E203", _("`commend` is given twice (first on line {line})", line=commend.span.line), hint=_("keep one of them"))
            commend = st
        elif kind is n.Clause and block == "item" and item is not None and isinstance(previous, ITEM_LINES + (n.Clause,)):
            # inside an item (after its head, a rule, a `let` or its other lines): the clause is the item's
            item_clauses.append((st.clause_id, item.head.item_id))
            clauses.append((st, item.head))
        elif kind is n.Clause:
            if not isinstance(previous, CITABLE + (n.Clause,)):
                error(
                    st,
                    "E200",
                    _(
                        "`clause` must follow the statement it cites: a header line (rubric, source, window, period, precision, total), "
                        "group, unit, attribute, units from, let, grade, status, veto, rank, combine, require, bulletin, commend, or a line of an item"
                    ),
                    hint=_("move this line under the statement it explains (items may also cite their source with `text`)"),
                )
            else:
                target = previous
                clauses.append((st, target if not isinstance(target, n.Clause) else clauses[-1][1]))
        elif kind is n.Let:
            lets.append(st)  # does not end the block it is written in
        elif kind is n.Heading:
            headings.append(st)  # anywhere: it belongs to no block
        elif kind is n.PeriodDecl:
            periods.append(st)
            block = None
        elif kind is n.Group:
            groups.append([st, []])
            block = "group"
        elif kind is n.Unit:
            if not groups:
                error(st, "E200", _("`unit` must come under a `group`"), hint=_('start a table with: group counties "縣市區"'))
            else:
                groups[-1][1].append(st)
        elif kind is n.EventKind:
            kinds.append([st, []])
            block = "event"
        elif kind is n.Field:
            if block != "event":
                error(st, "E200", _("`field` must come under an `event`"), hint=_("declare the kind first: event adopted"))
            else:
                kinds[-1][1].append(st)
        elif kind is n.SectionHead:
            sections.append([st, []])
            block, item = "section", None
        elif kind is n.ItemHead:
            if not sections:
                error(st, "E200", _("`item` must come under a `section`"), hint=_('start with: section A.4 "…"'))
                continue
            item = _ItemBuilder(st, False)
            sections[-1][1].append(item)
            block = "item"
        elif kind is n.PartHead:
            if block != "item" or item is None:
                error(st, "E200", _("`part` must come under an `item`"), hint=_("parts are sub-items of a scaled item"))
                continue
            parent = item if not item.is_part else item.parent
            part = _ItemBuilder(st, True, parent)
            parent.parts.append(part)
            item = part
        elif kind in ITEM_ATTRIBUTES or kind in (n.Rule, n.JointCap):
            if block != "item" or item is None:
                error(
                    st,
                    "E200",
                    _("`{STATEMENT_WORD}` must come under an `item`", STATEMENT_WORD=STATEMENT_WORD[kind]),
                    hint=_('put it after an item line such as: item A.4.1 "…"'),
                )
                continue
            if kind is n.Rule:
                item.rules.append(st)
            elif kind is n.JointCap:
                item.joint_caps.append(st)
            else:
                attr, value_of = ITEM_ATTRIBUTES[kind]
                if getattr(item, attr):
                    error(
                        st,
                        "E203",
                        _(
                            "`{STATEMENT_WORD}` is given twice for item {item_id}",
                            STATEMENT_WORD=STATEMENT_WORD[kind],
                            item_id=item.head.item_id,
                        ),
                        hint=_("keep one of them"),
                    )
                setattr(item, attr, value_of(st))
        previous = st

    for kind, word in ((n.Title, "rubric"), (n.Window, "window")):
        if kind not in header:
            diagnostics.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    "E202",
                    _("the rubric has no `{word}` line", word=word),
                    hint={"rubric": _('begin the file with: rubric "TITLE"'), "window": _("add: window 2009-01-01 to 2009-12-31")}[word],
                )
            )

    group_nodes = []
    for head, units in groups:
        decls = tuple(
            n.UnitDecl(
                u.name,
                head.name,
                u.target or head.target,
                u.aliases,
                span=u.span,
                attributes=n.typed_attributes(dict(head.attributes) | dict(u.attributes), attributes),
            )
            for u in units
        )
        group_nodes.append(n.GroupDecl(head.name, head.label, head.target, decls, span=head.span, attributes=head.attributes))
    kind_nodes = tuple(n.KindDecl(h.name, h.label, tuple(fs), span=h.span) for h, fs in kinds)
    section_nodes = tuple(
        n.SectionDecl(h.section_id, h.title, h.base, tuple(i.build() for i in items), span=h.span) for h, items in sections
    )
    unlisted = _header_line(header, n.Unlisted)
    title = _header_line(header, n.Title)
    source_doc = _header_line(header, n.SourceDoc)
    bulletin = _header_line(header, n.Bulletin)
    language = _header_line(header, n.Language)
    office = _header_line(header, n.Office)
    document_number = _header_line(header, n.DocumentNumber)
    subject = _header_line(header, n.Subject)
    signature = _header_line(header, n.Signature)
    period_length = _header_line(header, n.PeriodLength)
    rubric = n.Rubric(
        title=title.title if title is not None else None,
        source=source_doc.citation if source_doc is not None else None,
        window=_header_line(header, n.Window),
        precision=_header_line(header, n.Precision) or n.Precision(2),
        total=_header_line(header, n.Total),
        total_floor=_header_line(header, n.TotalFloor),
        total_cap=_header_line(header, n.TotalCap),
        total_is=_header_line(header, n.TotalIs),
        unlisted=unlisted.policy if unlisted else "rejected",
        groups=tuple(group_nodes),
        kinds=kind_nodes,
        sections=section_nodes,
        bulletins=bulletin.periods if bulletin is not None else (),
        commend=commend,
        clauses=tuple((c, type(t).__name__) for c, t in clauses),
        statements=tuple(statements),
        fold_scripts=n.UnitNames in header,
        lets=tuple(lets),
        item_clauses=tuple(item_clauses),
        language=language.tag if language is not None else None,
        office=office.name if office is not None else None,
        document_number=document_number.pattern if document_number is not None else None,
        subject=subject.text if subject is not None else None,
        signature=signature.name if signature is not None else None,
        period=period_length.unit if period_length is not None else None,
        periods=tuple(periods),
        path=path,
        headings=tuple(headings),
        attributes=tuple(attributes),
        units_from=_header_line(header, n.UnitsFrom),
        grades=tuple(outcomes["grades"]),
        statuses=tuple(outcomes["statuses"]),
        vetoes=tuple(outcomes["vetoes"]),
        requirements=tuple(outcomes["requirements"]),
        rank=_header_line(header, n.Rank),
        combine=_header_line(header, n.Combine),
        citations=tuple(clauses),
    )
    return rubric, diagnostics


def parse(text: str, path: str = "<rubric>") -> n.Rubric:
    """Rubric text → Rubric AST. Raises RubricError on syntax or structure errors (no semantic checks)."""
    statements = parse_statements(text, path)
    rubric, diagnostics = structure(statements, path, text)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise RubricError(diagnostics, text)
    return rubric
