"""Localisation (issue 12): catalogues complete and in sync with the code, the language chosen as documented."""

import ast
import importlib.util
import string

import pytest
from babel.messages.pofile import read_po

from rubric_dsl import i18n
from rubric_dsl.cli import main

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("make_catalogues", ROOT / "tools" / "make_catalogues.py")
make_catalogues = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_catalogues)

FIX = "run python tools/make_catalogues.py"


@pytest.fixture(scope="module")
def in_code():
    return make_catalogues.extract()


def shipped(folder):
    with make_catalogues.po_path(folder).open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_every_message_in_the_code_is_translated(in_code):
    translations = shipped("zh_Hans")
    missing = sorted((m, places[0]) for m, places in in_code.items() if not translations.get(m))
    assert missing == [], f"untranslated (add them to rubric_dsl/locale/zh_Hans/LC_MESSAGES/rubric_dsl.po, then {FIX}): {missing}"


def test_no_message_in_the_catalogue_is_gone_from_the_code(in_code):
    stale = sorted(set(shipped("zh_Hans")) - set(in_code))
    assert stale == [], f"messages no longer in the code ({FIX}): {stale}"


def test_every_marked_message_is_a_plain_literal():
    """`_()` and `N_()` take a literal: an f-string or a variable is invisible to the catalogue and never translated."""
    bad = []
    for path in sorted((ROOT / "rubric_dsl").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_"):
                if not node.args or not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == []


def _fields(text):
    return sorted({name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name})


def test_translations_keep_every_placeholder():
    for folder in ("zh_Hans", "zh_Hant"):
        for message, translation in shipped(folder).items():
            assert _fields(translation) == _fields(message), (folder, message, translation)


def test_shipped_files_are_what_the_tool_makes(in_code):
    """The .po files are the catalogue of today's code; zh_Hant is zh_Hans through OpenCC; the .mo files compile them."""
    wanted = make_catalogues.catalogues(in_code)
    for folder, catalog in wanted.items():
        po = make_catalogues.po_bytes(catalog)
        assert make_catalogues.po_path(folder).read_bytes() == po, f"{folder}.po is stale: {FIX}"
        assert make_catalogues.mo_path(folder).read_bytes() == make_catalogues.mo_bytes(po, folder), f"{folder}.mo is stale: {FIX}"


def test_traditional_is_derived_not_hand_written():
    simplified, traditional = shipped("zh_Hans"), shipped("zh_Hant")
    assert simplified.keys() == traditional.keys()
    assert simplified["Bulletin on {subject}, {year}-{month:02d}"] == "关于{year}年{month}月份{subject}情况的通报"
    assert traditional["Bulletin on {subject}, {year}-{month:02d}"] == "關於{year}年{month}月份{subject}情況的通報"


def test_the_package_ships_the_compiled_catalogues():
    for folder in ("zh_Hans", "zh_Hant"):
        assert (ROOT / "rubric_dsl" / "locale" / folder / "LC_MESSAGES" / "rubric_dsl.mo").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'rubric_dsl = ["py.typed", "locale/*/LC_MESSAGES/*.mo"' in pyproject


@pytest.mark.parametrize(
    "locale_name,expected",
    [("zh_CN.UTF-8", "zh-Hans"), ("zh_TW.UTF-8", "zh-Hant"), ("zh_HK", "zh-Hant"), ("zh_SG", "zh-Hans"), ("en_US.UTF-8", "en"),
     ("de_DE", "en"), ("C", None), ("C.UTF-8", None), ("POSIX", None)],
)
def test_locale_names(locale_name, expected):
    assert i18n.from_locale(locale_name) == expected


def test_language_precedence():
    """--lang, then RUBRIC_LANG, then the rubric's `language`, then the locale, then English."""
    assert i18n.choose("en", "zh-Hant", {"RUBRIC_LANG": "zh-Hans", "LANG": "zh_TW.UTF-8"}) == "en"
    assert i18n.choose(None, "zh-Hant", {"RUBRIC_LANG": "zh-Hans", "LANG": "en_US.UTF-8"}) == "zh-Hans"
    assert i18n.choose(None, "zh-Hant", {"LANG": "zh_CN.UTF-8"}) == "zh-Hant"
    assert i18n.choose(None, None, {"LANG": "zh_CN.UTF-8"}) == "zh-Hans"
    assert i18n.choose(None, None, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US"}) == "zh-Hant"
    assert i18n.choose(None, None, {}) == "en"


def test_default_follows_the_locale(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("RUBRIC_LANG", raising=False)
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    assert main(["report", str(ROOT / "rubrics" / "2009_info.rubric"), str(ROOT / "examples" / "2009_info.events.jsonl"), "--month", "2009-06"]) == 0
    assert "# 關於2009年6月份全市政務信息工作情況的通報" in capsys.readouterr().out
    assert i18n.language() == "en"  # main() leaves the language as it found it


def test_rubric_language_line_sets_the_default(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("RUBRIC_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    text = (ROOT / "rubrics" / "2009_info.rubric").read_text(encoding="utf-8").replace("bulletin monthly", "language zh-Hant\nbulletin monthly", 1)
    rubric = tmp_path / "info.rubric"
    rubric.write_text(text, encoding="utf-8")
    events = str(ROOT / "examples" / "2009_info.events.jsonl")
    assert main(["report", str(rubric), events, "--month", "2009-06"]) == 0
    assert "| 排名 | 較上月 | 單位 | 本月得分 | 累計得分 | 目標任務 | 完成率(%) | 時間進度 |" in capsys.readouterr().out
    # an explicit choice wins over the rubric's
    assert main(["report", str(rubric), events, "--month", "2009-06", "--lang", "en"]) == 0
    assert "| rank | change | unit |" in capsys.readouterr().out
    monkeypatch.setenv("RUBRIC_LANG", "zh-Hans")
    assert main(["report", str(rubric), events, "--month", "2009-06"]) == 0
    assert "| 排名 | 较上月 | 单位 |" in capsys.readouterr().out


def test_unknown_language_is_a_usage_error(capsys):
    assert main(["check", str(ROOT / "rubrics"), "--lang", "fr"]) == 2
    assert "unknown language 'fr'" in capsys.readouterr().err
