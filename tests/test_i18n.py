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
    [
        ("zh_CN.UTF-8", "zh-Hans"),
        ("zh_TW.UTF-8", "zh-Hant"),
        ("zh_HK", "zh-Hant"),
        ("zh_SG", "zh-Hans"),
        ("en_US.UTF-8", "en"),
        ("de_DE", "en"),
        ("C", None),
        ("C.UTF-8", None),
        ("POSIX", None),
    ],
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
    assert (
        main(
            ["report", str(ROOT / "rubrics" / "2009_info.rubric"), str(ROOT / "examples" / "2009_info.events.jsonl"), "--month", "2009-06"]
        )
        == 0
    )
    assert "# 關於2009年6月份全市政務信息工作情況的通報" in capsys.readouterr().out
    assert i18n.language() == "en"  # main() leaves the language as it found it


def test_rubric_language_line_sets_the_default(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("RUBRIC_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    text = (
        (ROOT / "rubrics" / "2009_info.rubric")
        .read_text(encoding="utf-8")
        .replace("bulletin monthly", "language zh-Hant\nbulletin monthly", 1)
    )
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


BROKEN = (
    'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nunlisted units are scored apart\n'
    "event adopted\n  field outlet: one of daily_provincial | city_express\n"
    'section A "a"\n  item A.1 "i"\n    award 1 for each adoptd\n    award 2 for each adopted where outlet = city_expres\n'
)


def test_check_in_chinese_keeps_codes_places_and_carets(tmp_path, capsys):
    """`rubric check --lang zh-Hans` on a broken rubric: Chinese messages and hints, the same codes, places and carets."""
    path = tmp_path / "broken.rubric"
    path.write_text(BROKEN, encoding="utf-8")
    assert main(["check", str(path), "--lang", "en"]) == 1
    english = capsys.readouterr().err.splitlines()
    assert main(["check", str(path), "--lang", "zh-Hans"]) == 1
    chinese = capsys.readouterr().err.splitlines()
    assert len(chinese) == len(english) == 9
    assert chinese[0] == f"{path}:8:22: 错误: 未知的事件类型 `adoptd` [E300]"
    assert english[0] == f"{path}:8:22: error: unknown event kind `adoptd` [E300]"
    assert chinese[1:3] == english[1:3]  # the source line and the caret
    assert chinese[3] == "  = 提示: 是否应为 `adopted`？"
    assert chinese[4].startswith(f"{path}:9:") and chinese[4].endswith("[E302]")
    assert chinese[4].split(": ")[0] == english[4].split(": ")[0]
    assert "不是 adopted 的 `outlet` 所列明的取值" in chinese[4]
    assert chinese[-1] == "已检查 1 个文件：2 个错误，0 个警告"
    assert main(["check", str(path), "--lang", "zh-Hant", "--format", "json"]) == 1
    import json

    found = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [(d["code"], d["line"], d["column"], d["severity"]) for d in found] == [("E300", 8, 22, "error"), ("E302", 9, 36, "error")]
    assert found[0]["message"] == "未知的事件類型 `adoptd`"  # JSON keys and codes stay; the text is the reader's


def _calls(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            yield name, node


def test_every_diagnostic_message_and_hint_goes_through_the_catalogue():
    """A new diagnostic written as a plain string or f-string would print English in every language."""
    untranslated = []
    for path in sorted((ROOT / "rubric_dsl" / "language").glob("*.py")):
        for name, node in _calls(path):
            if name not in ("report", "warn", "Diagnostic", "error"):
                continue
            candidates = [kw.value for kw in node.keywords if kw.arg in ("hint", "message")]
            candidates += [a for a in node.args if isinstance(a, ast.JoinedStr)]
            candidates += [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str) and " " in a.value]
            for value in candidates:
                if isinstance(value, (ast.JoinedStr, ast.Constant)) and not (isinstance(value, ast.Constant) and value.value is None):
                    untranslated.append(f"{path.relative_to(ROOT)}:{value.lineno}")
    assert untranslated == [], "wrap these in _(…) and translate them (tools/make_catalogues.py)"


def test_no_module_hides_the_translation_function():
    """`_` as a throwaway name in a module that translates with `_` breaks every message after it."""
    hiding = []
    for path in sorted((ROOT / "rubric_dsl").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "import" not in text or not any(line.startswith("from") and " _" in line and "i18n" in line for line in text.splitlines()):
            continue
        for node in ast.walk(ast.parse(text)):
            targets = []
            if isinstance(node, (ast.Assign, ast.For, ast.comprehension)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and name.id == "_":
                        hiding.append(f"{path.relative_to(ROOT)}:{name.lineno}")
    assert hiding == []


def test_readme_chinese_quick_start_has_the_same_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    def commands(heading):
        section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
        return [block.split("\n```", 1)[0] for block in section.split("```sh\n")[1:]]

    english, chinese = commands("Quick start"), commands("快速开始")
    assert len(english) == 2 and chinese == english


def test_explain_and_score_speak_chinese(capsys):
    rubric, events = str(ROOT / "rubrics" / "2009_info.rubric"), str(ROOT / "examples" / "2009_info.events.zh-Hans.jsonl")
    assert main(["explain", rubric, events, "--unit", "通川區", "--lang", "zh-Hans"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # the README's library example: 通川區 70.76 of its 150 target, 7th of the counties (A.4.1–A.4.5)
    assert lines[0] == "通川區: 70.76 分，目标任务 150（完成率 47.2%），排名第 7"
    assert lines[2].startswith("说明：写作 `通川区` 的事件计入本单位（同一名称的简繁不同写法；首次出现于 ")
    assert main(["score", rubric, events, "--lang", "zh-Hans"]) == 0
    out = capsys.readouterr()
    header = out.out.splitlines()[2].split()
    assert header[:3] == ["排名", "单位", "类别"] and header[-3:] == ["总分", "目标任务", "完成率(%)"]
    assert out.err.startswith("未计分：")


def test_rubric_test_speaks_chinese(capsys):
    assert main(["test", str(ROOT / "rubrics" / "2009_info.test.yaml"), "--lang", "zh-Hans"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("通过 ") and lines[-1].startswith("== ") and "个通过，用时 " in lines[-1]


def test_an_event_without_a_kind_is_rejected_in_chinese(capsys, tmp_path):
    """--lang zh-Hans on a rejected event: an event with no `kind` said "missing `kind`" in English among Chinese
    messages (found by the adversarial pass); the message, like "missing `date`", is translated."""
    events = tmp_path / "e.jsonl"
    events.write_text('{"id": "1", "unit": "通川區", "date": "2009-05-01"}\n', encoding="utf-8")
    assert main(["score", str(ROOT / "rubrics" / "2009_info.rubric"), str(events), "--lang", "zh-Hans"]) == 1
    assert f"{events}:1: 错误: 缺少 `kind`" in capsys.readouterr().err


def test_a_value_of_the_wrong_shape_is_named_in_chinese(capsys, tmp_path):
    """--lang zh-Hans: an id given as a list, a unit as an object, a quantity as null are named in Chinese inside the
    translated message ("不能是 a list" glued English into it; found by the adversarial pass)."""
    events = tmp_path / "e.jsonl"
    lines = [
        '{"id": [1], "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "province"}',
        '{"id": "2", "unit": {"a": 1}, "date": "2009-05-01", "kind": "adopted", "outlet": "province"}',
        '{"id": "3", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "province", "quantity": null}',
    ]
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["score", str(ROOT / "rubrics" / "2009_info.rubric"), str(events), "--lang", "zh-Hans", "--skip-invalid"]) == 1
    err = capsys.readouterr().err
    assert f"{events}:1: 错误: `id` 必须是文本，不能是 一个列表" in err
    assert "一个对象" in err and "缺失" in err
    assert "a list" not in err and "an object" not in err and "missing" not in err


UNIT_TABLE_RUBRIC = """rubric "site"
window 2019-01-01 to 2019-12-31
attribute kind: one of website | county
event deduction
  field points: decimal
group sites
  unit "W1" with kind website
units from "units.csv"
"""


def _load_in_chinese(rubric):
    import rubric_dsl

    i18n.set_language("zh-Hans")
    try:
        with pytest.raises(rubric_dsl.RubricError) as caught:
            rubric_dsl.load(rubric)
        return caught.value.render()
    finally:
        i18n.set_language("en")


def test_a_unit_table_that_does_not_fit_is_e308_in_chinese(tmp_path, monkeypatch):
    """E308 in zh-Hans: the head and the hint are Chinese ("the unit table does not fit the rubric" and its hint were
    English f-strings); code, place, row and caret stay as in English (tests/test_diagnostics.py has the English)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.rubric").write_text(UNIT_TABLE_RUBRIC, encoding="utf-8")
    (tmp_path / "units.csv").write_text("unit,kind\nW1,website\nW2,webiste\n", encoding="utf-8")
    lines = _load_in_chinese("site.rubric").splitlines()
    assert (
        lines[0]
        == "site.rubric:8:1: 错误: 单位表与考核细则不符：units.csv:3：单位 `W2`：`kind` 为 'webiste'，不是 website | county 之一 [E308]"
    )
    assert lines[1:3] == ['     8 | units from "units.csv"', "       | ^^^^^^^^^^^^^^^^^^^^^^"]
    assert lines[3] == "  = 提示: 每个单位一行：`unit`（单位名称），可选的 `group` 和 `target`，然后是声明的属性"


def test_a_missing_unit_table_is_e308_in_chinese(tmp_path, monkeypatch):
    """E308 for a `units from` table that cannot be read: "cannot read …" and the system's reason (ENOENT, whose English
    is the C library's "No such file or directory") are Chinese in zh-Hans."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.rubric").write_text(UNIT_TABLE_RUBRIC, encoding="utf-8")
    first = _load_in_chinese("site.rubric").splitlines()[0]
    assert first == "site.rubric:8:1: 错误: 单位表与考核细则不符：无法读取 units.csv：没有这个文件或文件夹 [E308]"
    import rubric_dsl

    with pytest.raises(rubric_dsl.RubricError) as caught:
        rubric_dsl.load("site.rubric")
    english = caught.value.render().splitlines()[0]
    assert (
        english == "site.rubric:8:1: error: the unit table does not fit the rubric: cannot read units.csv: No such file or directory [E308]"
    )


def test_e307_names_units_in_chinese():
    """E307 in zh-Hans named the owner of a unit attribute "units" in English (the word passed into check_value)."""
    from rubric_dsl.api import check_text

    text = 'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nattribute kind: one of website | county\ngroup g\n  unit "W1" with kind webiste\n'
    i18n.set_language("zh-Hans")
    try:
        _, diagnostics = check_text(text, "t.rubric")
    finally:
        i18n.set_language("en")
    assert [(d.code, d.message) for d in diagnostics] == [("E307", "`webiste` 不是 单位 的 `kind` 所列明的取值")]


def test_a_broken_json_line_is_explained_in_chinese(capsys, tmp_path):
    """--lang zh-Hans: the decoder's own "Expecting ',' delimiter" was glued English into 「JSON 格式错误：…」; it is
    translated, and the place (line 1, the caret under column 12, where the comma is missing) stays."""
    events = tmp_path / "e.jsonl"
    events.write_text('{"id": "1" "unit": "x"}\n', encoding="utf-8")
    assert main(["score", str(ROOT / "rubrics" / "2009_info.rubric"), str(events), "--lang", "zh-Hans"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [f"{events}:1: 错误: JSON 格式错误：此处应为 `,`", '     1 | {"id": "1" "unit": "x"}', "       |            ^"]
    assert main(["score", str(ROOT / "rubrics" / "2009_info.rubric"), str(events), "--lang", "en"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == f"{events}:1: error: broken JSON: Expecting ',' delimiter"


def test_a_broken_yaml_event_file_is_explained_in_chinese(capsys, tmp_path):
    """--lang zh-Hans: PyYAML's "found character '\\t' that cannot start any token" (a tab indenting line 2) in Chinese."""
    events = tmp_path / "e.yaml"
    events.write_text("- id: 1\n\t unit: x\n", encoding="utf-8")
    assert main(["score", str(ROOT / "rubrics" / "2009_info.rubric"), str(events), "--lang", "zh-Hans"]) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert first == f"{events}:2: 错误: YAML 格式错误：字符 '\\t' 不能作为值的开头（YAML 不能用制表符缩进）"


def test_a_broken_test_file_is_explained_in_chinese_with_its_line_and_column(capsys, tmp_path):
    """`rubric test` on a test file whose list never closes: PyYAML's problem translated, with its line and column
    (the end of the file: line 4, column 1), in both languages."""
    cases = tmp_path / "t.yaml"
    cases.write_text("cases:\n  - name: a\n    events: [1, 2\n", encoding="utf-8")
    assert main(["test", str(cases), "--lang", "zh-Hans"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"rubric test: 错误: {cases}：YAML 格式有误：此处应为 `,` 或 `]`，却遇到文件结尾（第 4 行，第 1 列）"
    )
    assert main(["test", str(cases), "--lang", "en"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"rubric test: error: {cases}: broken YAML: expected ',' or ']', but got '<stream end>' (line 4, column 1)"
    )


@pytest.mark.parametrize(
    "text, chinese",
    [
        ('{"a": 1,}', "此处应为双引号括起的键名"),  # a trailing comma in 3.11-3.12 (3.13 says "Illegal trailing comma")
        ('{"a" 1}', "此处应为 `:`"),
        ('{"a": }', "此处应为一个值"),
        ('{"a": "x', "引号内的文本没有闭合"),
        ('{"a": 1} x', "值结束后还有多余的内容"),
    ],
)
def test_json_decoder_messages_are_translated(text, chinese):
    """The common messages of the standard JSON decoder each have a Chinese phrase (issue 12)."""
    import json

    from rubric_dsl.sources.parse_errors import json_problem

    with pytest.raises(ValueError) as caught:
        json.loads(text)
    i18n.set_language("zh-Hans")
    try:
        said = json_problem(caught.value)
    finally:
        i18n.set_language("en")
    if text == '{"a": 1,}' and caught.value.msg.startswith("Illegal"):
        chinese = "右花括号前多了一个逗号"
    assert said == chinese
    assert json_problem(caught.value) == caught.value.msg  # English: the decoder's own words


def test_an_unknown_parser_message_is_kept_as_the_parser_wrote_it():
    """A message no pattern knows is shown whole rather than dropped or guessed at."""
    from rubric_dsl.sources.parse_errors import JSON_PROBLEMS, YAML_PROBLEMS, translated

    i18n.set_language("zh-Hans")
    try:
        assert translated("a problem no parser has said yet", JSON_PROBLEMS) == "a problem no parser has said yet"
        assert translated("Expecting value and more", JSON_PROBLEMS) == "Expecting value and more"  # matched whole only
        assert (
            translated("mapping values are not allowed here", YAML_PROBLEMS)
            == "此处不能写 `键: 值`（请检查缩进，或给含有 `: ` 的值加引号）"
        )
    finally:
        i18n.set_language("en")
