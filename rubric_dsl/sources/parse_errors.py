"""The JSON and YAML parsers' own complaints in the reader's language: each common message of the standard
library's JSON decoder and of PyYAML's scanner, parser and composer mapped to a translated phrase.

The parsers write their messages in English; shown as they are, a Chinese report reads "JSON 格式错误：Expecting ','
delimiter". A message is matched whole (its quoted character kept) and its English stays the parser's; one that no
pattern knows is shown as the parser wrote it, so nothing the parser said is lost. Line and column are given by the caller from the error itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..i18n import _

Phrase = Callable[[re.Match[str]], str]

# json.decoder / _json (CPython 3.11-3.13): the message without its position (the decoder keeps that apart, in .msg).
# The parser's own words are the catalogue's English, so English output is exactly what the decoder says.
JSON_PROBLEMS: list[tuple[re.Pattern[str], Phrase]] = [
    (re.compile(r"Expecting value"), lambda m: _("Expecting value")),
    (re.compile(r"Expecting ',' delimiter"), lambda m: _("Expecting ',' delimiter")),
    (re.compile(r"Expecting ':' delimiter"), lambda m: _("Expecting ':' delimiter")),
    (re.compile(r"Expecting property name enclosed in double quotes"), lambda m: _("Expecting property name enclosed in double quotes")),
    (re.compile(r"Unterminated string starting at"), lambda m: _("Unterminated string starting at")),
    (re.compile(r"Invalid control character at"), lambda m: _("Invalid control character at")),
    (re.compile(r"Invalid control character (?P<char>'.*') at"), lambda m: _("Invalid control character {char} at", char=m["char"])),
    (re.compile(r"Invalid \\uXXXX escape"), lambda m: _("Invalid \\uXXXX escape")),
    (re.compile(r"Invalid \\escape"), lambda m: _("Invalid \\escape")),
    (re.compile(r"Invalid \\escape: (?P<char>.*)"), lambda m: _("Invalid \\escape: {char}", char=m["char"])),
    (re.compile(r"Extra data"), lambda m: _("Extra data")),
    (re.compile(r"Illegal trailing comma before end of object"), lambda m: _("Illegal trailing comma before end of object")),
    (re.compile(r"Illegal trailing comma before end of array"), lambda m: _("Illegal trailing comma before end of array")),
]

# PyYAML's pure-Python scanner, parser and composer (the loader is yaml.SafeLoader), in their own English words.
YAML_PROBLEMS: list[tuple[re.Pattern[str], Phrase]] = [
    (re.compile(r"mapping values are not allowed here"), lambda m: _("mapping values are not allowed here")),
    (re.compile(r"sequence entries are not allowed here"), lambda m: _("sequence entries are not allowed here")),
    (
        re.compile(r"found character (?P<char>'.*') that cannot start any token"),
        lambda m: _("found character {char} that cannot start any token", char=m["char"]),
    ),
    (re.compile(r"could not find expected ':'"), lambda m: _("could not find expected ':'")),
    (re.compile(r"found unexpected end of stream"), lambda m: _("found unexpected end of stream")),
    (re.compile(r"found unknown escape character (?P<char>'.*')"), lambda m: _("found unknown escape character {char}", char=m["char"])),
    (
        re.compile(r"expected <block end>, but found (?P<found>'.*')"),
        lambda m: _("expected <block end>, but found {found}", found=yaml_token(m["found"])),
    ),
    (
        re.compile(r"expected ',' or '(?P<close>[\]}])', but got (?P<found>'.*')"),
        lambda m: _("expected ',' or '{close}', but got {found}", close=m["close"], found=yaml_token(m["found"])),
    ),
    (re.compile(r"second occurrence"), lambda m: _("second occurrence")),
    (
        re.compile(r"could not determine a constructor for the tag (?P<tag>'.*')"),
        lambda m: _("could not determine a constructor for the tag {tag}", tag=m["tag"]),
    ),
    (re.compile(r"but found another document"), lambda m: _("but found another document")),
]


def yaml_token(found: str) -> str:
    """A PyYAML token name as its messages quote it ('<stream end>'), in the reader's language where it is a common one."""
    names = {
        "'<stream end>'": lambda: _("'<stream end>'"),
        "'<block mapping start>'": lambda: _("'<block mapping start>'"),
        "'<block sequence start>'": lambda: _("'<block sequence start>'"),
        "'<block end>'": lambda: _("'<block end>'"),
        "'<scalar>'": lambda: _("'<scalar>'"),
        "'<document start>'": lambda: _("'<document start>'"),
    }
    name = names.get(found)
    return name() if name else found


def translated(message: str, problems: list[tuple[re.Pattern[str], Phrase]]) -> str:
    """`message` in the reader's language when a pattern knows it whole; otherwise the parser's own words."""
    message = message.strip()
    for pattern, phrase in problems:
        match = pattern.fullmatch(message)
        if match:
            return phrase(match)
    return message


def json_problem(error: BaseException) -> str:
    """A JSON decoder's complaint (without its position) in the reader's language."""
    return translated(str(getattr(error, "msg", error)), JSON_PROBLEMS)


def yaml_problem(error: BaseException) -> str:
    """A PyYAML complaint (its `problem`, without position or context) in the reader's language."""
    problem = getattr(error, "problem", None)
    return translated(str(problem if problem is not None else error), YAML_PROBLEMS)


def yaml_problem_at(error: BaseException) -> str:
    """A PyYAML complaint with its line and column, for a message that has no other place for them."""
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return yaml_problem(error)
    return _("{problem} (line {line}, column {column})", problem=yaml_problem(error), line=mark.line + 1, column=mark.column + 1)
