"""Compile once, score many: a rubric becomes per-kind event handlers (generated code) and item evaluators."""

from __future__ import annotations

import contextlib
import datetime
import gc
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

from ..language import nodes as n
from ..sources.events import BadRecord, EventError, EventProblem, resolve, with_places
from ..language.formatter import render_filter
from .results import Excluded, Scorecard, UnitMatch, UnitResult
from .units import UnitMatcher, listed_names

ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
ZERO = Decimal(0)
# Window status of a date (kept in the per-run date cache), and the reasons events go unscored.
IN_WINDOW, BEFORE_WINDOW, AFTER_WINDOW, AFTER_AS_OF = 0, 1, 2, 3
EXCLUSION_REASONS = {BEFORE_WINDOW: "before the window", AFTER_WINDOW: "after the window", AFTER_AS_OF: "after the as-of date"}


class Invalid(Exception):
    """Raised inside a handler for an event that breaks the rubric's declarations."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def month_key(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def month_label(key: int) -> str:
    return f"{key // 12:04d}-{key % 12 + 1:02d}"


# ---- slots: what each unit records per (source, value) -------------------------------


def slot_specs(rubric: n.Rubric):
    """Every (source, value spec) the rules read, keyed for dedup; records are
    (seq, id, date, month, quantity, value), where value is None, a field's value,
    (field value, rate) for rate tables, or (distinct value, tested value) for `whose`."""
    specs: dict = {}

    def need(source, value=None):
        specs.setdefault((source, value), len(specs))

    for item in rubric.all_items():
        for rule in item.rules:
            for node in n.walk(rule.amount):
                if isinstance(node, (n.Events, n.Count, n.MonthsWithout, n.Reached, n.NoEvent)):
                    need(node.source)
                elif isinstance(node, n.PerEachBy):
                    need(node.source, ("rate", node.field, tuple((r.value, r.points.value) for r in node.rates)))
                elif isinstance(node, (n.Sum, n.Latest, n.Distinct)):
                    need(node.source, ("field", node.field))
                elif isinstance(node, n.DistinctValues):
                    if node.whose:
                        need(node.source, ("pair", node.field, node.whose.field))
                    else:  # the same records as `distinct FIELD of KIND`: one list serves both
                        need(node.source, ("field", node.field))
    return specs


# ---- code generation for the per-event path ----------------------------------------------


class _Namespace:
    """Constants the generated code refers to by name (so nothing is rebuilt per event)."""

    def __init__(self):
        self.values: dict[str, object] = {}
        self._by_key: dict = {}

    def const(self, value, prefix="C") -> str:
        key = (type(value).__name__, repr(value))
        if key not in self._by_key:
            name = f"{prefix}{len(self.values)}"
            self.values[name] = value
            self._by_key[key] = name
        return self._by_key[key]


COMMON_LOCALS = {"id": "id_", "unit": "unit", "date": "day[0]", "quantity": "q", "kind": "kind"}


def _locals_of(kind: n.KindDecl) -> dict:
    """The generated code's variable for each field. By position, not by name: Python folds
    identifiers to NFKC, so two distinct Unicode field names could become one variable."""
    names = dict(COMMON_LOCALS)
    names.update({field.name: f"f{index}" for index, field in enumerate(kind.fields)})
    return names


def _filter_code(node, fields: dict, ns: _Namespace, names: dict) -> str:
    """A filter as a Python expression over the handler's normalised locals."""
    if node is None:
        return "True"
    if isinstance(node, n.Compare):
        ftype = fields.get(node.field, "text")
        value = _const_value(node.value, ftype)
        op = "==" if node.op == "=" else node.op
        local = names[node.field]
        if op in ("==", "!="):
            return f"({local} {op} {ns.const(value)})"
        return f"({local} is not None and {local} {op} {ns.const(value)})"
    if isinstance(node, n.In):
        ftype = fields.get(node.field, "text")
        values = frozenset(_const_value(v, ftype) for v in node.values)
        return f"({names[node.field]} in {ns.const(values, 'S')})"
    if isinstance(node, n.And):
        return "(" + " and ".join(_filter_code(p, fields, ns, names) for p in node.parts) + ")"
    if isinstance(node, n.Or):
        return "(" + " or ".join(_filter_code(p, fields, ns, names) for p in node.parts) + ")"
    if isinstance(node, n.Not):
        return f"(not {_filter_code(node.part, fields, ns, names)})"
    raise TypeError(node)


def _const_value(value, ftype: str):
    if isinstance(value, n.Word):
        return value.name
    if isinstance(value, n.Text):
        return value.value
    if isinstance(value, n.Number):
        if ftype == "enum" or ftype == "text":
            return value.literal
        return value.value if ftype == "decimal" else int(value.value) if ftype == "integer" else value.value
    return value  # a date


def _field_types(kind: n.KindDecl) -> dict:
    types = {"id": "text", "unit": "text", "date": "date", "quantity": "integer", "kind": "text"}
    types.update({f.name: f.type.name for f in kind.fields})
    return types


def _kind_handler_source(kind: n.KindDecl, handler_name: str, slots: dict, ns: _Namespace) -> str:
    """Python source of `h_<kind>(ev, seq, place)`: validate, dedupe, window, tally."""
    types = _field_types(kind)
    names = _locals_of(kind)
    allowed = frozenset(["id", "unit", "date", "kind", "quantity"] + [f.name for f in kind.fields])
    lines = [
        f"def {handler_name}(ev, seq, place):",
        f"    if not ev.keys() <= {ns.const(allowed, 'S')}:",
        f"        unknown_fields(ev, {ns.const(allowed, 'S')}, {kind.name!r})",
        "    id_ = ev.get('id')",
        "    if id_.__class__ is not str or not id_:",
        "        id_ = bad_id(id_)",
        "    unit = ev.get('unit')",
        "    if unit.__class__ is not str or not unit:",
        "        bad_unit(unit)",
        "    date_text = ev.get('date')",
        "    day = DATES.get(date_text)",
        "    if day is None:",
        "        day = add_date(date_text)",
        "    q = ev.get('quantity', 1)",
        "    if q.__class__ is not int or q < 1:",
        "        q = to_quantity(q)",
    ]
    # Plain fields first, so that `required when` / `only when` conditions see normalised values.
    ordered = sorted(kind.fields, key=lambda f: any(o.name in ("required_when", "only_when") for o in f.options))
    for field in kind.fields:
        lines.append(f"    {names[field.name]} = ev.get({field.name!r})")
    for field in ordered:
        lines += _field_check_lines(field, types, ns, names)
    # A re-send is the same id with the same (validated, normalised) content; the index keeps a
    # hash of that content instead of the event, so memory per event stays small.
    content = ", ".join(["unit", "date_text", "q", *(names[f.name] for f in kind.fields)])
    lines += [
        # the listed name, shared (one string per unit, kept in the id index); an alias or the other script's
        # spelling is looked up once per stream, so a re-send under another spelling is still a re-send
        "    name = NAMES.get(unit)",
        "    unit = name if name is not None else known_as(unit, place)",
        f"    fingerprint = hash(({kind.name!r}, {content}))",
        "    prev = IDS.get(id_)",
        "    if prev is not None:",
        "        return seen_again(ev, place, seq, prev, id_, fingerprint)",
        f"    IDS[id_] = (fingerprint, place, seq, {kind.name!r}, unit, day)",
        "    st = UNITS.get(unit)",
        "    if st is None:",
        "        st = new_unit(unit, place)",
        "    if day[2]:",
        f"        return exclude(ev, place, day, unit, {kind.name!r}, id_)",
    ]
    for (source, value), index in slots.items():
        if source.kind != kind.name:
            continue
        if value is None:
            body = [f"st[{index}].append((seq, id_, day[0], day[1], q, None))"]
        elif value[0] == "rate":
            rates = {v: p for v, p in value[2]}
            body = [
                f"rate = {ns.const(rates, 'R')}.get({names[value[1]]})",
                "if rate is not None:",
                f"    st[{index}].append((seq, id_, day[0], day[1], q, ({names[value[1]]}, rate)))",
            ]
        elif value[0] == "field":
            body = [f"st[{index}].append((seq, id_, day[0], day[1], q, {names[value[1]]}))"]
        else:  # pair: the distinct field and the field whose latest value is tested
            body = [f"st[{index}].append((seq, id_, day[0], day[1], q, ({names[value[1]]}, {names[value[2]]})))"]
        if source.where is None:
            lines += ["    " + line for line in body]
        else:
            lines += [f"    if {_filter_code(source.where, types, ns, names)}:"] + ["        " + line for line in body]
    lines.append("    return None")
    return "\n".join(lines)


SCALAR_COERCIONS = {"decimal": ("Decimal", "to_decimal"), "integer": ("int", "to_integer"), "text": ("str", "to_text")}


def _field_check_lines(field: n.Field, types, ns, names) -> list[str]:
    name, local = field.name, names[field.name]
    options = {o.name: o.args for o in field.options}
    out = []
    required_when = options.get("required_when")
    only_when = options.get("only_when")
    default = options.get("default")
    missing = []
    if default is not None:
        default_value = _const_value(default[0], field.type.name)
        if field.type.name == "decimal":
            default_value = Decimal(str(default_value))
        if only_when:
            missing.append(f"        if {_filter_code(only_when[0], types, ns, names)}:")
            missing.append(f"            {local} = {ns.const(default_value)}")
        else:
            missing.append(f"        {local} = {ns.const(default_value)}")
    elif required_when:
        condition = _filter_code(required_when[0], types, ns, names)
        missing.append(f"        if {condition}:")
        missing.append(f"            missing_field({name!r}, {render_filter(required_when[0])!r})")
    elif "optional" in options or only_when:
        missing.append("        pass")
    else:
        missing.append(f"        missing_field({name!r}, None)")
    present = []
    if only_when:
        present.append(f"        if not {_filter_code(only_when[0], types, ns, names)}:")
        present.append(f"            only_when_field({name!r}, {render_filter(only_when[0])!r})")
    ftype = field.type.name
    if ftype == "enum":
        choices = frozenset(str(c) for c in field.type.choices)
        present.append(f"        if {local} not in {ns.const(choices, 'S')}:")
        present.append(f"            {local} = to_enum({local}, {ns.const(choices, 'S')}, {name!r})")
    elif ftype in SCALAR_COERCIONS:
        # the usual class passes with one identity test; anything else goes through the coercion
        python_class, coerce = SCALAR_COERCIONS[ftype]
        present.append(f"        if {local}.__class__ is not {python_class}:")
        present.append(f"            {local} = {coerce}({local}, {name!r})")
    elif ftype == "date":
        present.append(f"        {local} = to_date({local}, {name!r})")
    for option, args in options.items():
        if option in ("range", "min", "max"):
            low = args[0].value if option in ("range", "min") else None
            high = args[-1].value if option in ("range", "max") else None
            present.append(
                f"        if {'False' if low is None else f'{local} < {ns.const(low)}'} or "
                f"{'False' if high is None else f'{local} > {ns.const(high)}'}:"
            )
            present.append(f"            out_of_range({local}, {name!r}, {ns.const(low)}, {ns.const(high)})")
    out.append(f"    if {local} is None:")
    out += missing
    out.append("    else:")
    out += present or ["        pass"]
    return out


# ---- helpers the generated code calls on its rare paths ------------------------------------


def unknown_fields(ev, allowed, kind):
    extra = sorted(set(ev) - allowed, key=str)
    import difflib

    hint = ""
    match = difflib.get_close_matches(str(extra[0]), [a for a in allowed], n=1, cutoff=0.6)
    if match:
        hint = f" (did you mean `{match[0]}`?)"
    fields = ", ".join(sorted(allowed - {"id", "unit", "date", "kind", "quantity"})) or "none"
    raise Invalid(f"unknown field `{extra[0]}` for kind `{kind}`{hint}; its fields are: {fields}", str(extra[0]))


def bad_id(value):
    if value is None:
        raise Invalid("missing `id`: every event needs an id unique in its stream", "id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"`id` must be text, not {value!r}", "id")


def bad_unit(value):
    if value is None:
        raise Invalid("missing `unit`: every event names the unit it belongs to", "unit")
    raise Invalid(f"`unit` must be a unit's name, not {value!r}", "unit")


def to_quantity(value):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if value.__class__ is int and value >= 1:
        return value
    raise Invalid(f"`quantity` must be a whole number of at least 1, not {_show(value)}", "quantity")


def to_enum(value, choices, name):
    if value.__class__ is int:
        text = str(value)
        if text in choices:
            return text
    import difflib

    shown = " | ".join(sorted(choices))
    match = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    hint = f" (did you mean `{match[0]}`?)" if match else ""
    raise Invalid(f"`{name}` is {_show(value)}, which is not one of {shown}{hint}", name)


def to_decimal(value, name):
    if value.__class__ is int:
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip().rstrip("%")) / (100 if value.strip().endswith("%") else 1)
            if result.is_finite():
                return result
        except InvalidOperation:
            pass
    raise Invalid(f"`{name}` must be a number, not {_show(value)}", name)


def to_integer(value, name):
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise Invalid(f"`{name}` must be a whole number, not {_show(value)}", name)


def to_text(value, name):
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"`{name}` must be text, not {_show(value)}", name)


def to_date(value, name):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid(f"`{name}` must be a date YYYY-MM-DD, not {_show(value)}", name) from None


def missing_field(name, condition):
    if condition:
        raise Invalid(f"missing `{name}`: it is required when {condition}", name)
    raise Invalid(f"missing required field `{name}`", name)


def only_when_field(name, condition):
    raise Invalid(f"`{name}` is only allowed when {condition}", name)


def out_of_range(value, name, low, high):
    if low is not None and high is not None:
        raise Invalid(f"`{name}` is {value}, outside {low} to {high}", name)
    if low is not None:
        raise Invalid(f"`{name}` is {value}, below the least allowed {low}", name)
    raise Invalid(f"`{name}` is {value}, above the most allowed {high}", name)


def _show(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "missing"
    return repr(value) if not isinstance(value, Decimal) else str(value)


@contextlib.contextmanager
def no_cyclic_gc():
    """Pause CPython's cyclic collector: tallying and finishing make only acyclic tuples, and the
    collector would rescan every record again and again as they pile up (a third of the time at 1M events)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# ---- the tally: what a run has recorded; mergeable ----------------------------------------


class Tally:
    """Per-unit slot records, identities, exclusions and problems of one scored stream (or chunk).

    Two tallies of disjoint parts of a stream merge into the tally of the whole, provided each
    part was tallied with the sequence numbers it has in the whole stream (`start`).
    """

    def __init__(self, slot_count: int, path: str = "<events>"):
        self.slot_count = slot_count
        self.path = path
        self.units: dict[str, list] = {}
        self.ids: dict[str, tuple] = {}
        self.excluded: list[Excluded] = []
        self.problems: list[EventProblem] = []
        self.resent: list[Excluded] = []
        self.unlisted: dict[str, object] = {}
        self.matched: dict[str, tuple] = {}  # a name counted for a listed unit → (listed name, why, first place)
        self.warnings: list[str] = []
        self.read = 0

    def merge(self, other: Tally) -> Tally:
        merged = Tally(self.slot_count, self.path)
        merged.read = self.read + other.read
        merged.ids = dict(self.ids)
        drop: set[int] = set()
        for event_id, entry in other.ids.items():
            prev = merged.ids.get(event_id)
            if prev is None:
                merged.ids[event_id] = entry
                continue
            (early, early_path), (late, late_path) = sorted(((prev, self.path), (entry, other.path)), key=lambda x: x[0][2])
            merged.ids[event_id] = early
            drop.add(late[2])
            early_place, late_place = resolve(early[1], early_path), resolve(late[1], late_path)
            if early[0] == late[0]:
                merged.resent.append(Excluded(event_id, late[4], late[3], late[5][0], str(late_place), f"re-sent (first at {early_place})"))
            else:
                message = f"id `{event_id}` was already used at {early_place} with different content"
                merged.problems.append(EventProblem(late_place, message, "id", None))
        for tally in (self, other):
            for unit, slots in tally.units.items():
                target = merged.units.setdefault(unit, [[] for _ in range(self.slot_count)])
                for index, records in enumerate(slots):
                    # records of a re-send seen in both parts are kept once: the earlier occurrence's
                    target[index].extend(r for r in records if r[0] not in drop)
            merged.excluded += tally.excluded
            merged.problems += tally.problems
            merged.resent += tally.resent
            for unit, place in tally.unlisted.items():
                merged.unlisted.setdefault(unit, place)
            for name, match in tally.matched.items():
                merged.matched.setdefault(name, match)
            merged.warnings += [w for w in tally.warnings if w not in merged.warnings]
        return merged


# ---- the program ---------------------------------------------------------------------------------


class Program:
    """A rubric compiled for scoring: `tally` events (in chunks if you like), `finish` into a Scorecard."""

    def __init__(self, rubric: n.Rubric, warnings=()):
        self.rubric = rubric
        self.warnings = list(warnings)
        self.slots = slot_specs(rubric)  # (source, value spec) → index of the unit's record list
        ns = _Namespace()
        self._handler_names = {kind.name: f"h{index}" for index, kind in enumerate(rubric.kinds)}
        sources = [_kind_handler_source(kind, self._handler_names[kind.name], self.slots, ns) for kind in rubric.kinds]
        self.generated_source = "\n\n".join(sources)  # readable with print(): what each event kind runs
        self._code = compile(self.generated_source, f"<rubric {rubric.path}>", "exec")
        self._constants = ns.values
        self.units = {u.name: u for u in rubric.units}
        self.groups = {g.name: g for g in rubric.groups}
        self.places = rubric.precision.digits
        self.quantum = Decimal(1).scaleb(-self.places)
        self.rounding = ROUNDING.get(rubric.precision.rounding, ROUND_HALF_UP)
        self.window = rubric.window
        self.matcher = UnitMatcher(list(self.units), listed_names(rubric.units, rubric.fold_scripts), rubric.fold_scripts)
        self._memo: dict = {}
        self.window_clause = next((c for c, target in rubric.clauses if target == "Window"), None)

    # -- tallying
    def tally(self, events, start: int = 0, path: str = "<events>") -> Tally:
        """Validate and record events. `events`: dicts, or (event, Place) pairs from read_events.

        A tally does not depend on an as-of date: `finish` cuts it off, so one tally serves
        every monthly bulletin of a year.
        """
        tally = Tally(len(self.slots), path)
        handlers = self._handlers(tally)
        problems = tally.problems
        seq = start - 1
        pairs = events if getattr(events, "paired", False) else with_places(events, start)
        with no_cyclic_gc():
            for seq, (ev, place) in enumerate(pairs, start):
                try:
                    handler = handlers[ev["kind"]]
                except (KeyError, TypeError):
                    problems.append(self._kind_problem(ev, resolve(place, path)))
                    continue
                try:
                    handler(ev, seq, place)
                except Invalid as error:
                    problems.append(EventProblem(resolve(place, path), error.message, error.field, ev))
                except TypeError:  # a list or object where a single value belongs (unhashable in a lookup)
                    problems.append(self._shape_problem(ev, resolve(place, path)))
        tally.read = seq - start + 1
        return tally

    @staticmethod
    def _shape_problem(ev, place) -> EventProblem:
        field = next((k for k, v in ev.items() if isinstance(v, (list, dict, set, tuple))), None)
        if field is None:
            return EventProblem(place, "a field holds a value of the wrong type", None, ev)
        shape = "a list" if isinstance(ev[field], (list, tuple, set)) else "an object"
        return EventProblem(place, f"`{field}` holds {shape}; it takes a single value", field, ev)

    def _kind_problem(self, ev, place) -> EventProblem:
        if isinstance(ev, BadRecord):
            return EventProblem(place, ev.message, None, None, ev.column)
        if not isinstance(ev, dict):
            return EventProblem(place, f"expected an object, found {type(ev).__name__}", None, None)
        kind = ev.get("kind")
        if kind is None:
            return EventProblem(place, "missing `kind`", "kind", ev)
        import difflib

        kinds = [k.name for k in self.rubric.kinds]
        match = difflib.get_close_matches(str(kind), kinds, n=1, cutoff=0.6)
        hint = f" (did you mean `{match[0]}`?)" if match else f"; the kinds are: {', '.join(kinds)}"
        return EventProblem(place, f"unknown event kind `{kind}`{hint}", "kind", ev)

    def _handlers(self, tally: Tally):
        window = self.window
        slot_count = len(self.slots)
        dates: dict = {}
        units = tally.units
        for name in self.units:
            units[name] = [[] for _ in range(slot_count)]

        def add_date(value):
            if value is None:
                raise Invalid("missing `date`", "date")
            if isinstance(value, datetime.date):
                day = value
            else:
                try:
                    if not isinstance(value, str) or len(value) != 10:
                        raise ValueError
                    day = datetime.date.fromisoformat(value)
                except ValueError:
                    raise Invalid(f"`date` must be a real date YYYY-MM-DD, not {_show(value)}", "date") from None
            if day < window.start:
                status = BEFORE_WINDOW
            elif day > window.end:
                status = AFTER_WINDOW
            else:
                status = IN_WINDOW
            info = (day, month_key(day), status)
            if isinstance(value, str):
                dates[value] = info
            return info

        path = tally.path

        def seen_again(ev, place, seq, prev, event_id, fingerprint):
            first = resolve(prev[1], path)
            if prev[0] == fingerprint:
                tally.resent.append(
                    Excluded(event_id, ev.get("unit"), ev.get("kind"), None, str(resolve(place, path)), f"re-sent (first at {first})")
                )
                return None
            raise Invalid(f"id `{event_id}` was already used at {first} with different content", "id")

        def new_unit(unit, place):
            place = resolve(place, path)
            if unit not in tally.unlisted:
                tally.unlisted[unit] = place
                near = self.matcher.probable(unit)
                if near:
                    tally.warnings.append(
                        f"{place}: warning: unit `{unit}` is not in the rubric's tables; did you mean `{near[0]}`? ({near[1]})"
                    )
            if self.rubric.unlisted != "scored_apart":
                tally.unlisted.pop(unit, None)
                near = self.matcher.probable(unit)
                hint = f" (did you mean `{near[0]}`?)" if near else ""
                raise Invalid(f"unit `{unit}` is not in the rubric's tables, and this rubric rejects unlisted units{hint}", "unit")
            slots = [[] for _ in range(slot_count)]
            units[unit] = slots
            return slots

        names = {name: name for name in units}

        def known_as(unit, place):
            match = self.matcher.resolve(unit)
            if match is None:
                names[unit] = unit
                return unit
            tally.matched.setdefault(unit, (*match, resolve(place, path)))
            names[unit] = match[0]
            return match[0]

        def exclude(ev, place, day, unit, kind, event_id):
            tally.excluded.append(Excluded(event_id, unit, kind, day[0], str(resolve(place, path)), EXCLUSION_REASONS[day[2]]))

        namespace = dict(self._constants)
        namespace.update(
            Decimal=Decimal,
            DATES=dates,
            IDS=tally.ids,
            UNITS=units,
            NAMES=names,
            known_as=known_as,
            add_date=add_date,
            seen_again=seen_again,
            new_unit=new_unit,
            exclude=exclude,
            unknown_fields=unknown_fields,
            bad_id=bad_id,
            bad_unit=bad_unit,
            to_quantity=to_quantity,
            to_enum=to_enum,
            to_decimal=to_decimal,
            to_integer=to_integer,
            to_text=to_text,
            to_date=to_date,
            missing_field=missing_field,
            only_when_field=only_when_field,
            out_of_range=out_of_range,
        )
        exec(self._code, namespace)
        return {kind: namespace[name] for kind, name in self._handler_names.items()}

    # -- finishing
    def score(self, events, as_of=None, skip_invalid: bool = False, path: str = "<events>") -> Scorecard:
        """Tally and finish in one go. Raises EventError if any event is invalid, unless `skip_invalid`."""
        tally = self.tally(events, path=path)
        if tally.problems and not skip_invalid:
            raise EventError(tally.problems)
        return self.finish(tally, as_of)

    def months(self, as_of) -> list[int]:
        first = month_key(self.window.start)
        last = month_key(min(self.window.end, as_of) if as_of else self.window.end)
        return list(range(first, last + 1))

    def finish(self, tally: Tally, as_of=None) -> Scorecard:
        if as_of is not None and as_of < self.window.start:
            # No month of the period has begun: "every month" and "months without" would be meaningless.
            raise ValueError(f"the as-of date {as_of} is before the window starts ({self.window.start})")
        months = self.months(as_of)
        with no_cyclic_gc():
            return self._finish(tally, as_of, months)

    def _finish(self, tally: Tally, as_of, months) -> Scorecard:
        from .evaluate import evaluate_unit

        results = []
        excluded_by_unit: dict = {}
        late = self._after_as_of(tally, as_of) if as_of else []
        for e in tally.excluded + late:
            excluded_by_unit.setdefault(e.unit, []).append(e)
        for name, slots in tally.units.items():
            if as_of:
                slots = [[r for r in records if r[2] <= as_of] for records in slots]
            decl = self.units.get(name)
            group = self.groups.get(decl.group) if decl else None
            items = evaluate_unit(self, slots, months, excluded_by_unit.get(name, []))
            total = sum((i.score for i in items), ZERO)
            target = decl.target.value if decl and decl.target is not None else None
            completion = (total / target) if target else None
            results.append(
                UnitResult(
                    name,
                    decl.group if decl else None,
                    group.label if group else None,
                    target,
                    total,
                    tuple(items),
                    decl is not None,
                    None,
                    completion,
                    len(excluded_by_unit.get(name, [])),
                )
            )
        ranked = rank_units(results)
        excluded = tally.excluded + late + tally.resent
        period_end = min(self.window.end, as_of) if as_of else self.window.end
        return Scorecard(
            self.rubric.title or "",
            ranked,
            excluded,
            list(tally.problems),
            list(self.warnings_text()) + tally.warnings,
            as_of,
            (self.window.start, period_end),
            self.places,
            events_read=tally.read,
            events_scored=len(tally.ids) - len(tally.excluded) - len(late),
            matched=[UnitMatch(name, unit, why, str(place)) for name, (unit, why, place) in sorted(tally.matched.items())],
        )

    def _after_as_of(self, tally: Tally, as_of) -> list[Excluded]:
        """Valid in-window events dated after `as_of`: kept, and reported as not yet counted."""
        reason = EXCLUSION_REASONS[AFTER_AS_OF]
        return [
            Excluded(event_id, unit, kind, day[0], str(resolve(place, tally.path)), reason)
            for event_id, (_, place, _, kind, unit, day) in tally.ids.items()
            if not day[2] and day[0] > as_of
        ]

    def warnings_text(self):
        return [d.render() for d in self.warnings]

    def memo(self, derive, node):
        """`derive(node)` for a node of this rubric, computed once: texts and kinds depend only on the rubric,
        not on the unit being scored. (Keyed by identity, which is stable while the program holds its AST.)"""
        key = (derive, id(node))
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = derive(node)
        return value

    def round(self, value: Decimal) -> Decimal:
        return value.quantize(self.quantum, rounding=self.rounding)


def rank_units(results):
    """Listed units by total, best first, with shared ranks for ties (1, 2, 2, 4); unlisted after, unranked."""
    import attrs

    listed = sorted((r for r in results if r.listed), key=lambda r: (-r.total, r.unit))
    unlisted = sorted((r for r in results if not r.listed), key=lambda r: (-r.total, r.unit))
    ranked = []
    previous_total, previous_rank = None, 0
    for position, result in enumerate(listed, 1):
        rank = previous_rank if result.total == previous_total else position
        previous_total, previous_rank = result.total, rank
        ranked.append(attrs.evolve(result, rank=rank))
    return ranked + unlisted
