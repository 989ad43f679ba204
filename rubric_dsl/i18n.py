"""Localisation: the language messages are shown in (zh-Hans, zh-Hant, en) and their gettext catalogues.

Messages are written in English in the code, marked with `_` (translated when made) or `N_` (translated
where shown), and translated from the catalogues in `rubric_dsl/locale/`: one source catalogue in
Simplified Chinese, written by hand; the Traditional one derived from it with OpenCC. Both are compiled
to `.mo` files shipped in the package (`python tools/make_catalogues.py` extracts, derives and compiles).
Diagnostic codes, JSON keys and the identifiers of the rubric language are never translated.
"""

from __future__ import annotations

import gettext
import os
import pathlib
import re
from typing import overload

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
DOMAIN = "rubric_dsl"
LOCALE_DIR = pathlib.Path(__file__).resolve().parent / "locale"
ENVIRONMENT = "RUBRIC_LANG"

# Locale names (as in LANG=zh_TW.UTF-8) of the regions that write Traditional characters.
_TRADITIONAL_REGIONS = ("tw", "hk", "mo", "hant")

_active: dict = {"language": "en", "translation": gettext.NullTranslations()}


def folder_of(language: str) -> str:
    """The catalogue folder of a language: zh-Hans → zh_Hans (gettext's own spelling)."""
    return language.replace("-", "_")


def from_locale(name: str | None) -> str | None:
    """The language of a POSIX locale name (zh_CN.UTF-8 → zh-Hans, zh_TW → zh-Hant, en_US → en), or None."""
    if not name or name in ("C", "POSIX") or name.startswith("C."):
        return None
    base = name.split(".")[0].split("@")[0].replace("-", "_").lower()
    parts = base.split("_")
    if parts[0] != "zh":
        return "en"
    return "zh-Hant" if any(p in _TRADITIONAL_REGIONS for p in parts[1:]) else "zh-Hans"


def locale_language(environ=None) -> str | None:
    """The language the user's locale asks for (LC_ALL, LC_MESSAGES, LANG, LANGUAGE, as gettext reads them)."""
    environ = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(variable)
        if value:
            found = from_locale(value.split(":")[0])
            if found:
                return found
    return None


def normalise(name: str) -> str | None:
    """`zh-hans`, `zh_Hans`, `zh-CN` … → the language it names, or None when it is none of LANGUAGES."""
    key = name.strip().replace("_", "-").lower()
    for language in LANGUAGES:
        if key == language.lower():
            return language
    if key in ("zh-cn", "zh-sg", "zh"):
        return "zh-Hans"
    if key in ("zh-tw", "zh-hk", "zh-mo"):
        return "zh-Hant"
    if key.startswith("en"):
        return "en"
    return None


def choose(flag: str | None = None, rubric_language: str | None = None, environ=None) -> str:
    """The language to use: --lang, then RUBRIC_LANG, then the rubric's `language` line, then the locale, then en."""
    environ = os.environ if environ is None else environ
    for candidate in (flag, environ.get(ENVIRONMENT)):
        chosen = normalise(candidate) if candidate else None
        if chosen:
            return chosen
    if rubric_language:
        return rubric_language
    return locale_language(environ) or "en"


def set_language(language: str) -> None:
    """Show every message from now on in `language` (one of LANGUAGES)."""
    if language not in LANGUAGES:
        raise ValueError(language)
    if language == "en":
        translation: gettext.NullTranslations = gettext.NullTranslations()
    else:
        # fallback=False: a shipped language whose catalogue is missing is a broken install, not English.
        translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[folder_of(language)])
    _active["language"] = language
    _active["translation"] = translation


def language() -> str:
    return _active["language"]


def is_chinese() -> bool:
    return _active["language"] != "en"


def _(message: str, /, **params) -> str:
    """`message` in the active language; `{name}` placeholders filled from `params` when given."""
    text = _active["translation"].gettext(message)
    return text.format(**params) if params else text


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it yet (a constant translated where shown)."""
    return message


# `language zh-Hant` in a rubric, found without parsing: `check` shows that rubric's own diagnostics in it.
_DECLARED = re.compile(r"^[ \t]*language[ \t]+([A-Za-z_-]+)[ \t]*(?:#.*)?$", re.M)


def declared_language(text: str) -> str | None:
    match = _DECLARED.search(text)
    return normalise(match.group(1)) if match else None


# ---- rubric text in the reader's script -----------------------------------------------------------------

_OPENCC_CONFIG = {"zh-Hans": "t2s", "zh-Hant": "s2t"}
_converters: dict = {}


@overload
def in_script(text: str, language: str | None = None) -> str: ...
@overload
def in_script(text: None, language: str | None = None) -> None: ...
@overload
def in_script(text: str | None, language: str | None = None) -> str | None: ...
def in_script(text: str | None, language: str | None = None) -> str | None:
    """Rubric text (unit names, group labels, the office) in the script of the language shown: a mainland
    office reading zh-Hans sees 通川区 for the listed 通川區. English shows the text as written."""
    language = language or _active["language"]
    config = _OPENCC_CONFIG.get(language)
    if text is None or config is None:
        return text
    convert = _converters.get(config)
    if convert is None:
        import opencc

        convert = _converters[config] = opencc.OpenCC(config).convert
    return convert(text)


def join_names(names) -> str:
    """`A、B、C` in Chinese, `A, B, C` in English."""
    return ("、" if is_chinese() else ", ").join(names)


def join_clauses(clauses) -> str:
    """`甲；乙` in Chinese, `a; b` in English: reasons or notes run together in one line."""
    return ("；" if is_chinese() else "; ").join(clauses)


_CHINESE_DIGITS = "〇一二三四五六七八九"


def _chinese_number(value: int) -> str:
    if value < 10:
        return _CHINESE_DIGITS[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (_CHINESE_DIGITS[ones] if ones else "")


def long_date(day) -> str:
    """A date as a document's signature shows it: 二〇〇九年七月一日 (Chinese) or 1 July 2009."""
    if is_chinese():
        year = "".join(_CHINESE_DIGITS[int(d)] for d in f"{day.year:04d}")
        return f"{year}年{_chinese_number(day.month)}月{_chinese_number(day.day)}日"
    return f"{day.day} {day:%B} {day.year}"


def short_date(day) -> str:
    """A date in running text: 2009年6月30日, or 2009-06-30."""
    return f"{day.year}年{day.month}月{day.day}日" if is_chinese() else day.isoformat()


def tr(marked: str) -> str:
    """A constant marked with `N_` where it was defined, translated now (`_` takes literals only)."""
    return _active["translation"].gettext(marked)


# argparse's own messages (usage, a missing or unknown argument, a bad choice), marked here so the catalogue
# holds them: argparse looks each one up through its module's `_` when it shows it, and `translate_argparse`
# points that at the active catalogue (a msgid another Python words differently is shown as argparse has it).
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("ignored explicit argument %r"),
)


def translate_argparse() -> None:
    """Show argparse's usage and errors in the active language (it reads the module's `_` at each message)."""
    import argparse

    setattr(argparse, "_", tr)  # noqa: B010 - argparse's stub declares no `_`
