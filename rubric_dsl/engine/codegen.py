"""Code generation: each event kind's handler `h<N>(ev, seq, place)` as Python source, with a map back to rubric spans.

A handler validates and normalises one event (the kind's field declarations), drops re-sends, and
appends a record to every slot of the plan whose source matches. The names it calls on rare paths
come from `runtime`; the constants it uses are collected in a `Namespace`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal

import attrs

from ..errors import NoCase
from ..language import nodes as n
from ..language.render import render_filter
from .declarations import conditional_bounds, literal, unit_literal
from .plan import DAY_DATE, DAY_EXCLUDED, DAY_MONTH, DAY_NUMBER, Record, SlotKey, SlotValue, slot_fields
from .runtime import INTEGER_LIMIT, MAX_QUANTITY, code_of

COMMON_FIELDS = ("id", "unit", "date", "kind", "quantity")
COMMON_TYPES = {"id": "text", "unit": "text", "date": "date", "quantity": "integer", "kind": "text"}
COMMON_LOCALS = {"id": "id_", "unit": "unit", "date": f"day[{DAY_DATE}]", "quantity": "q", "kind": "kind"}
# The usual Python class of a scalar field passes with one identity test; anything else goes through the coercion.
SCALAR_COERCIONS = {
    "decimal": ("Decimal", "to_decimal"),
    "integer": ("int", "to_integer"),
    "text": ("str", "to_text"),
    "boolean": ("bool", "to_boolean"),
}


class Namespace:
    """Constants the generated code refers to by name (so nothing is rebuilt per event)."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self._by_key: dict[tuple[str, str], str] = {}

    def const(self, value: object, prefix: str = "C") -> str:
        key = (type(value).__name__, repr(value))
        if key not in self._by_key:
            name = f"{prefix}{len(self.values)}"
            self.values[name] = value
            self._by_key[key] = name
        return self._by_key[key]


class Writer:
    """Lines of generated source, each remembering the rubric span it was written for."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.spans: list[n.Span] = []
        self._depth = 0
        self._span = n.NO_SPAN

    def line(self, text: str) -> None:
        self.lines.append("    " * self._depth + text)
        self.spans.append(self._span)

    @contextlib.contextmanager
    def indent(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def at(self, span: n.Span) -> Iterator[None]:
        """Lines written inside come from `span` of the rubric."""
        outer, self._span = self._span, span
        try:
            yield
        finally:
            self._span = outer

    def blank(self) -> None:
        self.lines.append("")
        self.spans.append(n.NO_SPAN)


@attrs.frozen
class GeneratedCode:
    """The handlers' source, the span of the rubric each of its lines (1-based) comes from, and its constants."""

    source: str
    spans: tuple[n.Span, ...]
    constants: dict[str, object]
    handler_names: dict[str, str]  # event kind → handler function name
    compact: GeneratedCode | None = None  # the fused loop of compact tallies (same constants), when asked for
    slot_values: GeneratedCode | None = None  # with `compact`: each kind's slot values per signature and day (`s<N>`)

    def span_of_line(self, line: int) -> n.Span:
        return self.spans[line - 1] if 0 < line <= len(self.spans) else n.NO_SPAN


def generate(rubric: n.Rubric, slots: dict[SlotKey, int], compact: bool = False) -> GeneratedCode:
    """The handlers; with `compact`, also those of compact tallies (`.compact`: they count each event's
    signature instead of appending records, see plan.compact_plan), sharing one set of constants."""
    ns = Namespace()
    names = {kind.name: f"h{index}" for index, kind in enumerate(rubric.kinds)}
    records = _handlers(rubric, slots, ns, names, False)
    if not compact:
        return records
    return attrs.evolve(
        records, compact=_handlers(rubric, slots, ns, names, True), slot_values=slot_values_source(rubric, slots, ns, names)
    )


def _handlers(rubric: n.Rubric, slots: dict[SlotKey, int], ns: Namespace, names: dict[str, str], compact: bool) -> GeneratedCode:
    writer = Writer()
    if compact:  # one loop with every kind's handler written out in it (nothing calls a handler per kind)
        for kind in rubric.kinds:
            with writer.at(kind.span):  # the digest state after the kind's value code (see _fingerprint_lines)
                writer.line(f"FP{names[kind.name]} = blake2b(K{names[kind.name]}, digest_size=16)")
        writer.blank()
        _fused_loop(writer, rubric, slots, ns, names)
        return GeneratedCode("\n".join(writer.lines), tuple(writer.spans), ns.values, names)
    for index, kind in enumerate(rubric.kinds):
        if index:
            writer.blank()
            writer.blank()
        _kind_handler(writer, kind, names[kind.name], slots, ns)
    return GeneratedCode("\n".join(writer.lines), tuple(writer.spans), ns.values, names)


FUSED_LOOP = "tally_blocks"


def _fused_loop(w: Writer, rubric: n.Rubric, slots: dict[SlotKey, int], ns: Namespace, names: dict[str, str]) -> None:
    """`tally_blocks(blocks, start, lined, problems, after_block)`: the compact tally's whole loop in one
    function, each kind's handler written out in its branch (no call per event). It does what
    Program._tally_loop does with the handlers, rejections going through the same helpers
    (`kind_problem`, `rejection`, `data_error`); it returns (events read, the last sequence number)."""
    kinds = list(rubric.kinds)
    w.line(f"def {FUSED_LOOP}(blocks, start, lined, problems, after_block):")
    with w.indent():
        for text in (
            "read = 0",
            "seq = None",
            "for block in blocks:",
            "    before = read",
            "    for read, (ev, place) in enumerate(block, before + 1):",
            "        seq = (start + place if start else place) if lined else start + read - 1",
            "        try:",
            "            kind = ev['kind']",
            "        except (KeyError, TypeError):",
            "            problems.append(kind_problem(ev, place, seq))",
            "            continue",
            "        try:",
        ):
            w.line(text)
        w._depth += 3
        try:
            for index, kind in enumerate(kinds):
                with w.at(kind.span):
                    w.line(f"{'if' if index == 0 else 'elif'} kind == {kind.name!r}:")
                types, local = _field_types(kind), _locals_of(kind)
                _validation(w, kind, types, local, ns)
                _compact_tail(w, kind, names[kind.name], slots, ns, local, types)
            w.line("else:" if kinds else "if True:")
            w.line("    problems.append(kind_problem(ev, place, seq))")
        finally:
            w._depth -= 3
        for text in (
            "        except Invalid as error:",
            "            problems.append(rejection(ev, place, seq, error))",
            "        except Exception as error:",
            "            problems.append(data_error(ev, place, seq, error))",
            "    if after_block is not None:",
            "        after_block()",
            "return read, seq",
        ):
            w.line(text)


def _locals_of(kind: n.KindDecl) -> dict[str, str]:
    """The generated code's variable for each field. By position, not by name: Python folds
    identifiers to NFKC, so two distinct Unicode field names could become one variable."""
    names = dict(COMMON_LOCALS)
    # a handler serves one kind: a filter (or a `distinct`) on `kind` reads that name, a constant
    names["kind"] = repr(kind.name)
    names.update({field.name: f"f{index}" for index, field in enumerate(kind.fields)})
    return names


def _field_types(kind: n.KindDecl) -> dict[str, str]:
    types = dict(COMMON_TYPES)
    types.update({f.name: f.type.name for f in kind.fields})
    return types


def filter_code(node: object, fields: dict[str, str], ns: Namespace, names: dict[str, str]) -> str:
    """A filter as a Python expression over the handler's normalised locals."""
    match node:
        case None:
            return "True"
        case n.Compare():
            value = literal(node.value, fields.get(node.field, "text"))
            op = "==" if node.op == "=" else node.op
            local = names[node.field]
            if op in ("==", "!="):
                return f"({local} {op} {ns.const(value)})"
            return f"({local} is not None and {local} {op} {ns.const(value)})"
        case n.In():
            ftype = fields.get(node.field, "text")
            values = frozenset(literal(v, ftype) for v in node.values)
            return f"({names[node.field]} in {ns.const(values, 'S')})"
        case n.And():
            return "(" + " and ".join(filter_code(p, fields, ns, names) for p in node.parts) + ")"
        case n.Or():
            return "(" + " or ".join(filter_code(p, fields, ns, names) for p in node.parts) + ")"
        case n.Not():
            return f"(not {filter_code(node.part, fields, ns, names)})"
        case n.UnitIs():  # the (listed) unit's attribute, from the program's unit table
            have = f"UNIT_ATTRS.get(unit, NO_ATTRS).get({node.attribute!r})"
            if node.op == "in":
                assert isinstance(node.value, tuple)  # the builder makes `in` lists tuples
                return f"({have} in {ns.const(frozenset(unit_literal(v) for v in node.value), 'S')})"
            wanted = ns.const(unit_literal(node.value))
            if node.op in ("=", "!="):
                return f"({have} {'==' if node.op == '=' else '!='} {wanted})"
            return f"(({have}) is not None and ({have}) {node.op} {wanted})"
        case _:
            raise NoCase("the filter code generator (codegen.filter_code)", node)


def _record(**fields: str) -> str:
    """A record's tuple literal, its fields in Record's order."""
    return "(" + ", ".join(fields[name] for name in Record._fields) + ")"


def _kind_handler(w: Writer, kind: n.KindDecl, handler_name: str, slots: dict[SlotKey, int], ns: Namespace) -> None:
    """`def h<N>(ev, seq, place)` of a tally of records: validate, dedupe, window, append records."""
    types = _field_types(kind)
    names = _locals_of(kind)
    with w.at(kind.span):
        # the digest state after the kind's value code, copied for each event's fingerprint (see below)
        w.line(f"FP{handler_name} = blake2b(K{handler_name}, digest_size=16)")
        w.line(f"def {handler_name}(ev, seq, place):")
    _validation(w, kind, types, names, ns)
    _records_tail(w, kind, handler_name, slots, ns, names, types)


def _validation(w: Writer, kind: n.KindDecl, types: dict[str, str], names: dict[str, str], ns: Namespace) -> None:
    """The handler's first part, the same in both kinds of tally: every field checked and normalised."""
    allowed = ns.const(frozenset([*COMMON_FIELDS, *(f.name for f in kind.fields)]), "S")
    with w.at(kind.span), w.indent():
        for text in (
            # (the set's own issuperset takes a third less time than comparing a keys view with it)
            f"if not {allowed}.issuperset(ev):",
            f"    unknown_fields(ev, {allowed}, {kind.name!r})",
            "id_ = ev.get('id')",
            "if id_.__class__ is not str or not id_:",
            "    id_ = bad_id(id_)",
            "unit = ev.get('unit')",
            "if unit.__class__ is not str or not unit:",
            "    bad_unit(unit)",
            "date_text = ev.get('date')",
            "day = DATES.get(date_text)",
            "if day is None:",
            "    day = add_date(date_text)",
            "q = ev.get('quantity', 1)",
            f"if q.__class__ is not int or q < 1 or q > {MAX_QUANTITY}:",
            "    q = to_quantity(q)",
        ):
            w.line(text)
        for field in kind.fields:
            w.line(f"{names[field.name]} = ev.get({field.name!r})")
    with w.indent():
        # Plain fields first, so that `required when` / `only when` conditions see normalised values.
        ordered = sorted(kind.fields, key=lambda f: any(o.name in ("required_when", "only_when") for o in f.options))
        for field in ordered:
            with w.at(field.span):
                _field_checks(w, field, types, ns, names)
        # Bounds that hold only for some events, once every field is known: one comparison on a valid event.
        for field in kind.fields:
            with w.at(field.span):
                _conditional_bounds(w, field, types, ns, names)


def _fingerprint_lines(
    kind: n.KindDecl, fields: list[n.Field], handler_name: str, ns: Namespace, names: dict[str, str], quantity: bool
) -> list[str]:
    """Lines that set `fingerprint`: a digest of the kind, (with `quantity`) the quantity, and `fields`.

    Each value is written out canonically and unambiguously (runtime.code_of: free text and a declared
    choice quoted with repr(); a whole number or a date in its one spelling; a decimal normalised, 1.0
    and 1 being one value; an absent value as None) and digested to a fixed-width value code; the
    fingerprint is the digest of the kind's code followed by the codes in order. No value is formatted
    per event: a declared choice's code comes from a table made here, other values' from a per-field
    cache, and each event's digest continues from a copy of the state after the kind's code
    (`FP<handler>`). A kind whose fields are all choices or booleans has few contents: each content's
    fingerprint is kept (`FPS<handler>`, keyed by the values themselves, which are equal exactly when
    their codes are)."""
    ns.values[f"K{handler_name}"] = code_of(kind.name, "plain")
    codes = ["c0"] if quantity else []
    code_lines = ["c0 = QUANTITY_CODES.get(q)", "if c0 is None:", "    c0 = value_code(QUANTITY_CODES, q, 'plain')"] if quantity else []
    for field in fields:
        index = kind.fields.index(field) + 1
        local, ftype = names[field.name], field.type.name
        if ftype in ("enum", "boolean"):  # a few values, each known now: one lookup in a table of their codes
            how = "repr" if ftype == "enum" else "plain"
            values: list[object] = [None, *(str(c) for c in field.type.choices)] if ftype == "enum" else [None, True, False]
            table = ns.const({value: code_of(value, how) for value in values}, "E")
            codes.append(f"{table}[{local}]")
            continue
        how = {"decimal": "decimal", "integer": "plain", "date": "plain"}.get(ftype, "repr")
        cache = f"V{handler_name}_{index}"
        ns.values[cache] = {}  # per field: value → code (emptied if it grows past CODE_CACHE_LIMIT)
        code_lines += [
            f"c{index} = {cache}.get({local})",
            f"if c{index} is None:",
            f"    c{index} = value_code({cache}, {local}, {how!r})",
        ]
        codes.append(f"c{index}")
    digest_lines = [*code_lines, f"digest = FP{handler_name}.copy()", f"digest.update(b''.join(({', '.join(codes)},)))"]
    if all(field.type.name in ("enum", "boolean") for field in fields):
        content = "(" + ", ".join([*(["q"] if quantity else []), *(names[field.name] for field in fields)]) + ",)"
        ns.values[f"FPS{handler_name}"] = {}
        return [
            f"fingerprint = FPS{handler_name}.get({content})",
            "if fingerprint is None:",
            *("    " + line for line in digest_lines),
            f"    fingerprint = remember(FPS{handler_name}, {content}, digest.digest())",
        ]
    return [*digest_lines, "fingerprint = digest.digest()"]


def _records_tail(
    w: Writer, kind: n.KindDecl, handler_name: str, slots: dict[SlotKey, int], ns: Namespace, names: dict[str, str], types: dict[str, str]
) -> None:
    """Records: drop a re-send (the same id with the same normalised content, recognised by a digest of
    the content, so the index keeps no event), leave out an event outside the window, append records."""
    with w.indent():
        with w.at(kind.span):
            for text in (
                # the listed name, shared (one string per unit, kept in the id index); an alias or the other script's
                # spelling is looked up once per stream, so a re-send under another spelling is still a re-send
                "name = NAMES.get(unit)",
                "unit = name if name is not None else known_as(unit, place, seq)",
                *_fingerprint_lines(kind, list(kind.fields), handler_name, ns, names, quantity=True),
                "prev = IDS.get(id_)",
                "if prev is not None:",
                f"    return seen_again(ev, place, seq, prev, id_, fingerprint, unit, {kind.name!r}, day)",
                # the unit before the id: an event rejected for its unit must not claim its id
                "st = UNITS.get(unit)",
                "if st is None:",
                "    st = new_unit(unit, place, seq, id_)",
                f"IDS[id_] = (fingerprint, place, seq, {kind.name!r}, unit, day)",  # IdEntry's layout
                f"if day[{DAY_EXCLUDED}] is not None:",
                f"    return exclude(seq, place, day, unit, {kind.name!r}, id_)",
            ):
                w.line(text)
        for key, index in slots.items():
            if key.source.kind != kind.name:
                continue
            with w.at(key.source.span):
                if key.source.where is None:
                    _append_record(w, key, index, ns, names)
                else:
                    w.line(f"if {filter_code(key.source.where, types, ns, names)}:")
                    with w.indent():
                        _append_record(w, key, index, ns, names)
        with w.at(kind.span):
            w.line("return None")


def _compact_tail(
    w: Writer,
    kind: n.KindDecl,
    handler_name: str,
    slots: dict[SlotKey, int],
    ns: Namespace,
    names: dict[str, str],
    types: dict[str, str],
) -> None:
    """Compact tallies: the event's content (its listed unit, quantity and the fields its slots read or
    that take few values: `content_fields`) numbered in the kind's signature table, and that number with
    the day's, the sequence number and the id logged (compact.CompactTally). Fields outside the content
    are digested into a fingerprint, logged beside the sequence number, so a later copy of the id can be
    told a re-send or not. Nothing about ids is decided here: the tally finds later copies all at once
    when it is read (CompactTally.settle), and a slot's value is worked out once per signature and day
    when the tally is finished (`slot_values_source`)."""
    content = content_fields(kind, slots)
    loose = [field for field in kind.fields if field not in content]
    values = [
        f"(None if {names[f.name]} is None else str({names[f.name]}))" if f.type.name == "decimal" else names[f.name] for f in content
    ]
    # fields outside the signature, when any of them has a value (an event whose are all absent logs no fingerprint)
    present = " or ".join(f"{names[f.name]} is not None" for f in loose)
    fingerprint = [
        *_fingerprint_lines(kind, loose, handler_name, ns, names, quantity=False),
        "log_loose_seq(seq)",
        "log_loose(fingerprint)",
    ]
    with w.at(kind.span), w.indent():
        for text in (
            # the listed name of a spelling whose unit is known to the tally; any other goes the slow way
            # (resolved, and checked as a unit of the rubric or a new unlisted one) once per spelling
            "name = KNOWN.get(unit)",
            "unit = name if name is not None else known_unit(unit, place, seq, id_)",
            *([f"if {present}:", *("    " + line for line in fingerprint)] if loose else []),
            f"sig = ({', '.join(['unit', 'q', *values])},)",
            f"c = SIGS_{handler_name}.get(sig)",
            "if c is None:",
            f"    c = new_signature(SIGS_{handler_name}, {kind.name!r}, sig)",
            f"log_code(c | day[{DAY_NUMBER}])",
            "log_seq(seq)",
            "log_id(id_)",
            "if place.__class__ is not int:",  # a place a sequence number does not give back
            "    PLACES[seq] = place",
        ):
            w.line(text)


def content_fields(kind: n.KindDecl, slots: dict[SlotKey, int]) -> list[n.Field]:
    """The fields a compact tally keeps in an event's signature, in declaration order: those its kind's
    slots read (as value or in a filter) and those that take few values (choices, booleans)."""
    read = {name for key in slots if key.source.kind == kind.name for name in slot_fields(key)}
    return [f for f in kind.fields if f.name in read or f.type.name in ("enum", "boolean")]


def slot_values_source(rubric: n.Rubric, slots: dict[SlotKey, int], ns: Namespace, names: dict[str, str]) -> GeneratedCode:
    """`def s<N>(content, date)` per kind: what each slot of the kind takes from an event of that content
    and date (`...` where the slot's filter refuses it), in the order of plan.slot_layout; compact
    tallies call it once per signature and day when they are finished. The code is the records
    handler's, over the content's values (a decimal held as its text is read as a number)."""
    w = Writer()
    for kind in rubric.kinds:
        types, local = _field_types(kind), _locals_of(kind)
        content = content_fields(kind, slots)
        handler_name = names[kind.name]
        with w.at(kind.span):
            w.line(f"def s{handler_name[1:]}(content, date):")
        with w.indent():
            with w.at(kind.span):
                w.line(f"{', '.join(['unit', 'q', *(local[f.name] for f in content)])}, = content")
                w.line("day = (date,)")
                for f in content:
                    if f.type.name == "decimal":
                        w.line(f"t_{local[f.name]} = {local[f.name]}")
                        w.line(f"{local[f.name]} = None if {local[f.name]} is None else Decimal({local[f.name]})")
            values = []
            for number, key in enumerate(k for k in slots if k.source.kind == kind.name):
                with w.at(key.source.span):
                    if key.value is SlotValue.NONE:
                        value = "None"
                    else:
                        assert key.field is not None and key.value in (SlotValue.FIELD, SlotValue.RATE), "compact_plan allows no other slot"
                        field_local = local[key.field]
                        # a decimal by its text: 1.0 and 1.00 are equal keys, but not the same spelling in a sum or a latest value
                        value = f"t_{field_local}" if types.get(key.field) == "decimal" else field_local
                    if key.source.where is not None:
                        value = f"{value} if {filter_code(key.source.where, types, ns, local)} else ..."
                    w.line(f"v{number} = {value}")
                    values.append(f"v{number}")
            with w.at(kind.span):
                w.line(f"return ({''.join(v + ', ' for v in values)})")
        w.blank()
    return GeneratedCode("\n".join(w.lines), tuple(w.spans), ns.values, {kind.name: f"s{names[kind.name][1:]}" for kind in rubric.kinds})


def _append_record(w: Writer, key: SlotKey, index: int, ns: Namespace, names: dict[str, str]) -> None:
    common = {"seq": "seq", "event_id": "id_", "date": f"day[{DAY_DATE}]", "month": f"day[{DAY_MONTH}]", "quantity": "q"}
    entity = names.get(key.entity) if key.entity else None
    if key.entity:
        if entity is None:  # this kind lacks the entity's field (the checker reports it): nothing to record
            w.line("pass")
            return
        w.line(f"if {entity} is not None:")  # an event outside every sub-entity is not recorded here
        with w.indent():
            _append_value(w, key, index, ns, names, common, entity)
        return
    _append_value(w, key, index, ns, names, common, None)


def _append_value(
    w: Writer, key: SlotKey, index: int, ns: Namespace, names: dict[str, str], common: dict[str, str], entity: str | None
) -> None:
    def append(value: str) -> None:
        if entity is not None:
            value = f"({entity}, {value})"
        w.line(f"st[{index}].append({_record(**common, value=value)})")

    match key.value:
        case SlotValue.NONE:
            append("None")
        case SlotValue.RATE:
            assert key.field is not None
            field = names[key.field]
            if all(isinstance(value, str) for value, _ in key.rates):
                # One (value, rate) pair per row of the table, made here: a record shares it instead of
                # pairing the event's own (equal) text with the rate anew (a tuple less per event).
                pairs = {value: (value, points) for value, points in key.rates}
                w.line(f"pair = {ns.const(pairs, 'R')}.get({field})")
                w.line("if pair is not None:")
                with w.indent():
                    append("pair")
            else:  # numbers: the record keeps the event's own spelling of the value
                w.line(f"rate = {ns.const(dict(key.rates), 'R')}.get({field})")
                w.line("if rate is not None:")
                with w.indent():
                    append(f"({field}, rate)")
        case SlotValue.FIELD:
            assert key.field is not None
            append(names[key.field])
        case SlotValue.PAIR:  # the distinct field and the field whose latest value is tested
            assert key.field is not None and key.tested is not None
            append(f"({names[key.field]}, {names[key.tested]})")


def _conditional_bounds(w: Writer, field: n.Field, types: dict[str, str], ns: Namespace, names: dict[str, str]) -> None:
    local = names[field.name]
    for low, high, condition in conditional_bounds(field):
        outside = " or ".join(
            [*([f"{local} < {ns.const(low)}"] if low is not None else []), *([f"{local} > {ns.const(high)}"] if high is not None else [])]
        )
        w.line(f"if {local} is not None and ({outside}) and {filter_code(condition, types, ns, names)}:")
        w.line(f"    out_of_range_when({local}, {field.name!r}, {ns.const(low)}, {ns.const(high)}, {render_filter(condition)!r})")


def _field_checks(w: Writer, field: n.Field, types: dict[str, str], ns: Namespace, names: dict[str, str]) -> None:
    name, local = field.name, names[field.name]
    options = {o.name: o.args for o in field.options}
    required_when = options.get("required_when")
    only_when = options.get("only_when")
    default = options.get("default")
    w.line(f"if {local} is None:")
    with w.indent():
        if default is not None:
            default_value = literal(default[0], field.type.name)
            if field.type.name == "decimal":
                default_value = Decimal(str(default_value))
            if only_when:
                w.line(f"if {filter_code(only_when[0], types, ns, names)}:")
                w.line(f"    {local} = {ns.const(default_value)}")
            else:
                w.line(f"{local} = {ns.const(default_value)}")
        elif required_when:
            w.line(f"if {filter_code(required_when[0], types, ns, names)}:")
            w.line(f"    missing_field({name!r}, {render_filter(required_when[0])!r})")
        elif "optional" in options or only_when:
            w.line("pass")
        else:
            w.line(f"missing_field({name!r}, None)")
    w.line("else:")
    with w.indent():
        written = len(w.lines)
        if only_when:
            w.line(f"if not {filter_code(only_when[0], types, ns, names)}:")
            w.line(f"    only_when_field({name!r}, {render_filter(only_when[0])!r})")
        ftype = field.type.name
        if ftype == "enum":
            choices = ns.const(frozenset(str(c) for c in field.type.choices), "S")
            w.line(f"if {local} not in {choices}:")
            w.line(f"    {local} = to_enum({local}, {choices}, {name!r})")
        elif ftype in SCALAR_COERCIONS:
            python_class, coerce = SCALAR_COERCIONS[ftype]
            # the usual class passes at once, if its value is within the limits of an event's numbers
            within = {
                "decimal": f" or exact_number({local}) is None",
                "integer": f" or not {-INTEGER_LIMIT} < {local} < {INTEGER_LIMIT}",
                "text": "",
                "boolean": "",
            }[ftype]
            w.line(f"if {local}.__class__ is not {python_class}{within}:")
            w.line(f"    {local} = {coerce}({local}, {name!r})")
        elif ftype == "date":
            w.line(f"{local} = to_date({local}, {name!r})")
        for option, args in options.items():
            if option in ("range", "min", "max"):
                low = args[0].value if option in ("range", "min") else None
                high = args[-1].value if option in ("range", "max") else None
                too_low = "False" if low is None else f"{local} < {ns.const(low)}"
                too_high = "False" if high is None else f"{local} > {ns.const(high)}"
                w.line(f"if {too_low} or {too_high}:")
                w.line(f"    out_of_range({local}, {name!r}, {ns.const(low)}, {ns.const(high)})")
        if len(w.lines) == written:
            w.line("pass")
