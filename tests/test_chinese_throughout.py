"""Issue 12: under zh-Hans, `explain` and `rubric test` say nothing in English.

Every case of every shipped and corpus test file is scored in Chinese, and every unit of its scorecard is
explained: why-not lines, caps and floors, vetoes, grades and statuses, sub-entities (`scored per`),
members' totals, ranks. A Latin word in that text must be an identifier: a word of the rubric itself
(its keywords, kinds, fields and values, as rule lines quote the rubric), or of the test file (unit names,
event ids and values). Anything else is English that reached a Chinese reader.
"""

from __future__ import annotations

import pathlib
import re

import pytest

from rubric_dsl import i18n
from rubric_dsl.api import load
from rubric_dsl.cli import main
from rubric_dsl.outputs.explain import explain_unit
from rubric_dsl.testing import load_cases, run_case

from .conftest import ROOT

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
TEST_FILES = sorted([*ROOT.glob("rubrics/*.test.yaml"), *ROOT.glob("examples/corpus/*/*.test.yaml")])


def identifiers(*paths: pathlib.Path) -> set[str]:
    """The words of a rubric (comments left out: they are the author's prose, not the rubric's words) and of a test file."""
    words: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".rubric":
            text = re.sub(r"#[^\n]*", "", text)
        words |= set(WORD.findall(text))
    return words


def english_in(text: str, allowed: set[str]) -> list[str]:
    """Each line holding a Latin word that is not one of `allowed`, with the word."""
    return [f"{word!r} in {line.strip()!r}" for line in text.splitlines() for word in WORD.findall(line) if word not in allowed]


@pytest.fixture
def chinese():
    i18n.set_language("zh-Hans")
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("test_file", TEST_FILES, ids=lambda p: p.parent.name + "/" + p.name)
def test_explain_of_every_case_and_unit_is_in_chinese(test_file, chinese):
    rubric_path, cases = load_cases(test_file)
    program = load(rubric_path)
    allowed = identifiers(rubric_path, test_file)
    explained = 0
    found: list[str] = []
    for case in cases:
        if case.get("expect_invalid"):
            continue  # no scorecard: the events are rejected
        failures, card = run_case(program, case, test_file.parent, str(test_file), (ROOT,))
        assert failures == [], (case.get("name"), failures)  # the case passes in Chinese as in English
        for unit in card.units:
            found += english_in(explain_unit(program, card, unit.unit), allowed)
            explained += 1
    assert explained > 0
    assert found == []


def test_the_explained_constructs_are_the_ones_this_test_claims():
    """The cases above reach why-not lines, caps, vetoes, grades, statuses and sub-entities (else the test proves less)."""
    text = []
    i18n.set_language("zh-Hans")
    try:
        for test_file in TEST_FILES:
            rubric_path, cases = load_cases(test_file)
            program = load(rubric_path)
            for case in cases:
                if not case.get("expect_invalid"):
                    _failures, card = run_case(program, case, test_file.parent, str(test_file), (ROOT,))
                    text += [explain_unit(program, card, unit.unit) for unit in card.units]
    finally:
        i18n.set_language("en")
    joined = "\n".join(text)
    # the messages of engine/evaluation.py and outcomes.py as zh_Hans says them
    for words in ("未得更多分的原因", "一票否决", "等级 ", "最多", "未计分", "下限", "个月中有"):
        assert words in joined, words


def test_rubric_test_pass_and_fail_in_chinese(tmp_path, capsys):
    """`rubric test --lang zh-Hans --coverage`: a passing and a failing case, the failure's text in Chinese too.
    The failing case expects A.4.1 to give 3 for one dynamic item; A.4.1 gives 2 (so the total is 2, not 3)."""
    rubric = ROOT / "rubrics" / "2009_info.rubric"
    (tmp_path / "2009_info.rubric").write_text(rubric.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text(
        "rubric: 2009_info.rubric\n"
        "cases:\n"
        "  - name: 每日报省信息动态类一条\n"
        "    clause: A.4.1\n"
        "    events:\n"
        "      - {id: a1, unit: 通川區, date: 2009-05-04, kind: adopted, outlet: daily_provincial, category: dynamic}\n"
        "    expect:\n"
        "      通川區: {total: 2, items: {A.4.1: 2}}\n"
        "  - name: 写错的期望\n"
        "    clause: A.4.1\n"
        "    events:\n"
        "      - {id: a1, unit: 通川區, date: 2009-05-04, kind: adopted, outlet: daily_provincial, category: dynamic}\n"
        "    expect:\n"
        "      通川區: {total: 3}\n",
        encoding="utf-8",
    )
    assert main(["test", str(tmp_path), "--coverage", "--lang", "zh-Hans"]) == 1
    out = capsys.readouterr().out
    assert "通过 " in out and "未通过 " in out and "总分：应为 3，实为 2.00" in out, out
    in_paths = set(WORD.findall(f"{tmp_path} 2009_info.rubric t.test.yaml"))  # the files' own names
    assert english_in(out, identifiers(rubric) | in_paths) == []


EXPECT_INVALID = """rubric: 2009_info.rubric
cases:
  - name: 缺少类别（英文原文）
    events:
      - {id: x1, unit: 通川區, date: 2009-05-04, kind: adopted, outlet: daily_provincial}
    expect_invalid: "missing `category`"
  - name: 缺少类别（读者看到的中文）
    events:
      - {id: x1, unit: 通川區, date: 2009-05-04, kind: adopted, outlet: daily_provincial}
    expect_invalid: "缺少 `category`"
"""


@pytest.mark.parametrize("how", ["--lang", "RUBRIC_LANG", "en"])
def test_expect_invalid_matches_whatever_the_language(tmp_path, capsys, monkeypatch, how):
    """docs/authoring.md: `expect_invalid` matches the English message in every language, and the message as
    the reader sees it; a piece neither contains fails the case."""
    (tmp_path / "2009_info.rubric").write_text((ROOT / "rubrics" / "2009_info.rubric").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text(EXPECT_INVALID, encoding="utf-8")
    monkeypatch.delenv("RUBRIC_LANG", raising=False)
    args = ["test", str(tmp_path)]
    if how == "--lang":
        args += ["--lang", "zh-Hans"]
    elif how == "RUBRIC_LANG":
        monkeypatch.setenv("RUBRIC_LANG", "zh-Hans")
    else:
        args += ["--lang", "en"]
    code = main(args)
    out = capsys.readouterr().out
    if how == "en":  # an English reader sees no Chinese message: the second case's piece matches nothing
        assert code == 1 and "PASSED" in out and "FAILED" in out and "missing `category`" in out
    else:
        assert code == 0, out
        assert out.count("通过 ") == 2


def test_expect_invalid_that_matches_nothing_fails_in_chinese(tmp_path, capsys):
    (tmp_path / "2009_info.rubric").write_text((ROOT / "rubrics" / "2009_info.rubric").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text(
        EXPECT_INVALID.split("  - name: 缺少类别（读者")[0].replace("missing `category`", "missing `column`"), encoding="utf-8"
    )
    assert main(["test", str(tmp_path), "--lang", "zh-Hans"]) == 1
    out = capsys.readouterr().out
    assert "未通过 " in out and "缺少 `category`" in out  # the rejections as the Chinese reader sees them


def test_argparse_usage_errors_follow_the_language(capsys, monkeypatch):
    """argparse's own messages go through the catalogue too (i18n.translate_argparse); English stays English."""
    monkeypatch.delenv("RUBRIC_LANG", raising=False)
    rubric = str(ROOT / "rubrics" / "2009_info.rubric")
    assert main(["explain", rubric, "x.jsonl", "--lang", "zh-Hans"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "rubric explain：错误：缺少必需的参数：--unit"
    monkeypatch.setenv("RUBRIC_LANG", "zh-Hans")
    assert main(["score", "--bogus"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "rubric score：错误：缺少必需的参数：RUBRIC, EVENTS"
    monkeypatch.delenv("RUBRIC_LANG")
    assert main(["score", "--bogus", "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "rubric score: error: the following arguments are required: RUBRIC, EVENTS"
