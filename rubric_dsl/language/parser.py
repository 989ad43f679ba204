"""The parser facade: rubric text → Lark tree, with syntax errors turned into diagnostics."""

from __future__ import annotations

import functools
import hashlib
import json
import pathlib

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..i18n import N_, _, tr
from .diagnostics import Diagnostic, RubricError, source_lines

GRAMMAR_PATH = pathlib.Path(__file__).with_name("grammar.lark")

# What a person calls the tokens Lark names.
TOKEN_DESCRIPTIONS = {
    "STRING": N_('quoted text ("…")'),
    "NUMBER": N_("a number"),
    "INT": N_("a whole number"),
    "DATE": N_("a date (YYYY-MM-DD)"),
    "NAME": N_("a name"),
    "ID": N_("an id such as A.4.1"),
    "CMP": N_("a comparison (>=, <=, =, !=, <, >)"),
    "VERB": N_("award, bonus or deduct"),
    "_NL": N_("the end of the line"),
    "$END": N_("the end of the file"),
    "PER_GROUP": N_('"per group"'),
}

# Common slips, recognised by example, with the fix to suggest (lark's match_examples).
LABELLED_MISTAKES = {
    (N_("unit names are quoted"), N_('write the name in quotes: unit "通川區"')): [
        "unit 通川區\n",
        "unit x target 150\n",
    ],
    (N_("a rule counts events with `for each`"), N_("write: award 2 for each adopted")): [
        "award 2 per adopted\n",
        "deduct 1 per dead_link\n",
        "award 2 adopted\n",
        "award 2 each adopted\n",
    ],
    (N_("comparisons use a single `=`"), N_("write: where outlet = daily_provincial")): [
        "award 2 for each adopted where outlet == x\n",
        "award 2 when reached milestone where task == x\n",
    ],
    (N_("a cap is written `, at most N`"), N_("put a comma and `at most` before the cap: deduct 1 for each dead_link, at most 5")): [
        "deduct 1 for each dead_link max 5\n",
        "award 1 for each x at most 5\n",
        "deduct 1 for each dead_link maximum 5\n",
        "deduct 1 for each dead_link, max 5\n",
        "deduct 1 for each dead_link, maximum 5\n",
    ],
    (N_("a window is written `window START to END`"), N_("write: window 2009-04-01 to 2009-12-31")): [
        "window 2009-04-01 - 2009-12-31\n",
        "window 2009-04-01 2009-12-31\n",
        "window 2009-04-01 until 2009-12-31\n",
    ],
    (N_("choices of `one of` are separated by `|`"), N_("write: field outlet: one of daily_provincial | city_express")): [
        "event e\nfield f: one of a, b\n",
        "event e\nfield f: one of a or b\n",
    ],
    (N_("a field needs a type after the colon"), N_("write e.g. field name: text (types: text, integer, decimal, date, one of a | b)")): [
        "event e\nfield f:\n",
        "event e\nfield f: string\n",
        "event e\nfield f: number\n",
    ],
    (N_("a field is written `field NAME: TYPE`"), N_("put a colon after the field name: field outlet: one of a | b")): [
        "event e\nfield f text\n",
        "event e\nfield f one of a | b\n",
    ],
}


# Full-width punctuation typed with a Chinese input method, outside quotes: the ASCII character meant.
FULL_WIDTH = {
    "，": (N_("a full-width comma"), ","),
    "、": (N_("an enumeration comma"), ","),
    "（": (N_("a full-width parenthesis"), "("),
    "）": (N_("a full-width parenthesis"), ")"),
    "“": (N_("a curly quote"), '"'),
    "”": (N_("a curly quote"), '"'),
    "「": (N_("a corner bracket"), '"'),
    "」": (N_("a corner bracket"), '"'),
    "。": (N_("a full stop"), "."),
    "．": (N_("a full-width full stop"), "."),
    "：": (N_("a full-width colon"), ":"),
    "；": (N_("a full-width semicolon"), ","),
    "＝": (N_("a full-width equals sign"), "="),
    "＞": (N_("a full-width greater-than sign"), ">"),
    "＜": (N_("a full-width less-than sign"), "<"),
    "％": (N_("a full-width percent sign"), "%"),
    "＋": (N_("a full-width plus sign"), "+"),
    "－": (N_("a full-width minus sign"), "-"),
    "＊": (N_("a full-width asterisk"), "*"),
    "／": (N_("a full-width slash"), "/"),
    "｜": (N_("a full-width bar"), "|"),
    "＃": (N_("a full-width number sign"), "#"),
}

TABLES_PATH = pathlib.Path(__file__).with_name("parser_tables.json")
PARSER_OPTIONS = dict(parser="lalr", propagate_positions=True, maybe_placeholders=False)


def grammar_digest() -> str:
    """What the shipped tables were built from: the grammar text and the Lark version."""
    return hashlib.sha256(GRAMMAR_PATH.read_bytes() + lark.__version__.encode()).hexdigest()


def build_tables() -> dict:
    """The LALR tables of the grammar as plain JSON data (no pickle: loading them runs no code)."""
    built = lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), **PARSER_OPTIONS)
    data, memo = built.memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
    return {"digest": grammar_digest(), "data": data, "memo": memo}


def _integer_keys(pairs):
    # JSON object keys are strings; Lark's tables key states and memo entries by integers.
    return {int(key) if key.isdigit() else key: value for key, value in pairs}


def _shipped_tables() -> dict | None:
    try:
        tables = json.loads(TABLES_PATH.read_text(encoding="utf-8"), object_pairs_hook=_integer_keys)
    except (OSError, ValueError):
        return None
    return tables if isinstance(tables, dict) and tables.get("digest") == grammar_digest() else None


@functools.cache
def get_parser(strict: bool = False) -> lark.Lark:
    """The LALR parser for the rubric grammar, built once per process.

    The grammar analysis is most of `check`'s start-up time, so the package ships the tables as
    JSON (`python -m rubric_dsl.language.parser` writes them). JSON carries no code, unlike the
    pickle behind Lark's own cache, which ran whatever a writable cache folder held. Tables that do
    not match the grammar (an edited grammar, another Lark) are ignored and the grammar is analysed.
    """
    if strict:
        return lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), strict=True, **PARSER_OPTIONS)
    tables = _shipped_tables()
    if tables is not None:
        return lark.Lark._load_from_dict(tables["data"], tables["memo"])
    return lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), **PARSER_OPTIONS)


def describe_expected(expected, parser: lark.Lark) -> str:
    names = []
    by_name = {t.name: t for t in parser.terminals}
    for name in sorted(expected):
        if name in TOKEN_DESCRIPTIONS:
            names.append(tr(TOKEN_DESCRIPTIONS[name]))
        elif name in by_name and by_name[name].pattern.type == "str":
            names.append(f"`{by_name[name].pattern.value}`")
        else:
            names.append(name.lower())
    names = sorted(set(names))
    if len(names) > 8:
        names = names[:8] + ["…"]
    return _(", ").join(names)


def describe_token(token) -> str:
    if token.type == "_NL":
        return _("end of line")
    if token.type == "$END":
        return _("end of file")
    return f"`{token.value}`"


@functools.cache
def _label_examples():
    # Lark matches by parser state, whose stack is one deeper after the first line:
    # each example is tried both as the first line and after another.
    return {
        label: [prefix + example for example in examples for prefix in ("", 'rubric "x"\n')]
        for label, examples in LABELLED_MISTAKES.items()
    }


def syntax_diagnostic(error: UnexpectedInput, text: str, path: str) -> Diagnostic:
    parser = get_parser()
    line, column = error.line, error.column
    if isinstance(error, UnexpectedCharacters):
        lines = source_lines(text)
        source_line = lines[line - 1] if 0 < line <= len(lines) else ""
        position = error.pos_in_stream  # always set on UnexpectedCharacters; lark types it Optional
        char = text[position] if position is not None and position < len(text) else ""
        if char == '"' and source_line.count('"') % 2 == 1:
            return Diagnostic(
                path,
                line,
                column,
                "E102",
                _("unterminated text: this quote is never closed"),
                hint=_('close the text with " on the same line'),
            )
        if char in FULL_WIDTH:
            name, ascii_char = FULL_WIDTH[char]
            return Diagnostic(
                path,
                line,
                column,
                "E101",
                _("unexpected character `{char}` ({name})", char=char, name=tr(name)),
                hint=_("write the ASCII `{char}` instead", char=ascii_char),
            )
        return Diagnostic(
            path,
            line,
            column,
            "E101",
            _("unexpected character `{char}`", char=char),
            hint=_("names are letters, digits and _; text goes in double quotes"),
        )
    label = None
    try:
        label = error.match_examples(parser.parse, _label_examples(), use_accepts=True)
    except Exception:  # matching is best effort; the generic message still applies
        label = None
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            line, column = max(text.count("\n"), 1), 1
        message = _("unexpected {token}", token=describe_token(token))
        expected = describe_expected(error.accepts or error.expected, parser)
        end_column = column + len(token.value) if token.type not in ("_NL", "$END") else 0
        if label:
            message = _("{unexpected}: {explanation}", unexpected=message, explanation=tr(label[0]))
            return Diagnostic(path, line, column, "E100", message, hint=tr(label[1]), end_line=line, end_column=end_column)
        message = _("{unexpected}; expected {expected}", unexpected=message, expected=expected)
        return Diagnostic(path, line, column, "E100", message, end_line=line, end_column=end_column)
    return Diagnostic(path, line or 1, column or 1, "E100", str(error).splitlines()[0])


# Each `( … )` and each `not` nests a condition one level deeper. Written methods nest two or three
# levels; the limit keeps the tree walkers (recursive, like Python's own compiler that runs the
# generated handlers and refuses 200 nested parentheses) far from their limits.
MAX_NESTING = 32
NESTING_RULES = frozenset({"cond_or", "filter_or", "cond_not", "filter_not"})


def nesting_diagnostic(tree: lark.Tree, path: str) -> Diagnostic | None:
    """E105 at the first condition nested deeper than MAX_NESTING, found without recursion."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in NESTING_RULES:
            depth += 1
            if depth > MAX_NESTING:
                meta = node.meta
                return Diagnostic(
                    path,
                    getattr(meta, "line", 1),
                    getattr(meta, "column", 1),
                    "E105",
                    _("this condition is nested more than {levels} levels deep (by parentheses and `not`)", levels=MAX_NESTING),
                    hint=_("split it into simpler rules, or drop redundant parentheses and double `not`"),
                )
        stack += [(child, depth) for child in node.children if isinstance(child, lark.Tree)]
    return None


def parse_tree(text: str, path: str = "<rubric>") -> lark.Tree:
    """Parse rubric text into a Lark tree, or raise RubricError with the syntax error."""
    if not text.endswith("\n"):
        text += "\n"
    try:
        tree = get_parser().parse(text)
    except UnexpectedInput as error:
        raise RubricError([syntax_diagnostic(error, text, path)], text) from None
    too_deep = nesting_diagnostic(tree, path)
    if too_deep is not None:
        raise RubricError([too_deep], text)
    return tree
