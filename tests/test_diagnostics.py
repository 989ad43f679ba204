"""Each diagnostic code, asserting its whole rendered text (golden cases in tests/cases/diagnostics.yaml)."""

import pathlib
import re

import pytest
import yaml

from rubric_dsl.api import check_text

CASES = yaml.safe_load((pathlib.Path(__file__).parent / "cases" / "diagnostics.yaml").read_text(encoding="utf-8"))
# The same cases in Simplified Chinese (issue 12): same codes, places and carets, Chinese messages and hints.
CHINESE = yaml.safe_load((pathlib.Path(__file__).parent / "cases" / "diagnostics.zh-Hans.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def in_language():
    from rubric_dsl import i18n

    def use(language):
        i18n.set_language(language)

    yield use
    i18n.set_language("en")


@pytest.mark.parametrize(
    "language,case",
    [("en", c) for c in CASES] + [("zh-Hans", c) for c in CHINESE],
    ids=[c["name"] for c in CASES] + [c["name"] + "-zh-Hans" for c in CHINESE],
)
def test_diagnostic_text(language, case, in_language):
    in_language(language)
    _, diagnostics = check_text(case["rubric"], "t.rubric")
    lines = case["rubric"].splitlines()
    assert "\n".join(d.render(lines) for d in diagnostics) + "\n" == case["expected"]
    assert case["code"] in {d.code for d in diagnostics}


def _shape(text):
    """What must not change with the language: each finding's place and code, and the source and caret lines."""
    import re

    heads = [re.match(r"^(\S+:\d+:\d+): \S+: .* (\[[EW]\d{3}\])$", line) for line in text.splitlines()]
    places = [(m.group(1), m.group(2)) for m in heads if m]
    sources = [line for line in text.splitlines() if re.match(r"^ +(\d+ )?\| ", line)]
    return places, sources


@pytest.mark.parametrize("english,chinese", list(zip(CASES, CHINESE)), ids=[c["name"] for c in CASES])
def test_chinese_diagnostics_keep_codes_places_and_carets(english, chinese):
    assert english["name"] == chinese["name"]
    assert _shape(chinese["expected"]) == _shape(english["expected"])
    assert _shape(english["expected"])[0], "every case shows at least one finding with its place"
    for line in chinese["expected"].splitlines():
        if re.match(r"^\S+:\d+:\d+: ", line):
            assert re.match(r"^\S+:\d+:\d+: (错误|警告): ", line), line
        if line.startswith("  = "):
            assert line.startswith("  = 提示: ")
    # the messages themselves are Chinese: no English sentence is left outside quoted code
    prose = re.sub(r"`[^`]*`|\"[^\"]*\"|\[[EW]\d{3}\]|^.*\| .*$|^\S+:\d+:\d+", "", chinese["expected"], flags=re.M)
    assert not re.search(r"\b[a-z]{3,} [a-z]{3,}\b", prose), prose


def test_every_code_in_the_docs_has_a_case():
    documented = set()
    for line in (pathlib.Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("### ") and line[4:5] in "EW" and line[5:8].isdigit():
            documented.add(line[4:8])
    tested = {c["code"] for c in CASES} | {"E001", "E308"}  # E001: test_unreadable_rubric_is_e001; E308: below
    assert documented - tested == set()


def test_docs_show_what_check_prints():
    docs = (pathlib.Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    first = {}
    for case in CASES:
        first.setdefault(case["code"], case)
    for case in first.values():
        assert case["expected"].rstrip() in docs, case["code"]


def test_unreadable_rubric_is_e001(tmp_path, capsys):
    from rubric_dsl.cli import main

    path = tmp_path / "latin1.rubric"
    path.write_bytes('rubric "café"\n'.encode("latin-1"))
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"{path}: error: cannot read the rubric: it is not UTF-8 text [E001]"
    assert err.splitlines()[1] == "  = help: save the file as UTF-8"


def test_disjoint_number_ranges_do_not_overlap():
    # W502 must not fire for `v < 5` and `v >= 5`, nor W501 for a range that can be met
    text = (
        'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nunlisted units are scored apart\nevent e\n  field v: decimal\n'
        'section S "s"\n  item S.1 "i"\n    award 1 for each e where v < 5\n    award 2 for each e where v >= 5\n'
        "    award 3 for each e where date >= 2009-03-01 and date <= 2009-03-01\n"
    )
    _, diagnostics = check_text(text, "t.rubric")
    assert [(d.code, d.line) for d in diagnostics] == [("W502", 10), ("W502", 10)]


def test_all_findings_are_collected_in_one_run():
    text = (
        'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nunlisted units are scored apart\nevent a\n'
        'section S "s"\n  item S.1 "i"\n    award 1 for each b\n    award 1 for each c\n'
    )
    _, diagnostics = check_text(text, "t.rubric")
    assert [d.code for d in diagnostics] == ["E300", "E300"]


E308_RUBRIC = """rubric "site"
window 2019-01-01 to 2019-12-31
attribute kind: one of website | county
event deduction
  field points: decimal
group sites
  unit "W1" with kind website
units from "units.csv"
"""


def test_unit_table_that_does_not_fit_is_e308(tmp_path, monkeypatch):
    """E308: a `units from` table with a bad row is named at the row, with the rubric line; the docs show the same text."""
    import rubric_dsl

    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.rubric").write_text(E308_RUBRIC, encoding="utf-8")
    (tmp_path / "units.csv").write_text("unit,kind\nW1,website\nW2,webiste\n", encoding="utf-8")
    with pytest.raises(rubric_dsl.RubricError) as caught:
        rubric_dsl.load("site.rubric")
    text = caught.value.render()
    assert text == (
        "site.rubric:8:1: error: the unit table does not fit the rubric: units.csv:3: unit `W2`: `kind` is 'webiste',"
        " which is not one of website | county [E308]\n"
        '     8 | units from "units.csv"\n'
        "       | ^^^^^^^^^^^^^^^^^^^^^^\n"
        "  = help: one row per unit: `unit` (its name), optional `group` and `target`, then the declared attributes"
    )
    docs = (pathlib.Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    assert text in docs
