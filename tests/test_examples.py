"""The shipped examples run, and what examples/README.md shows is what the commands print."""

import datetime
import json
import subprocess
import sys

import pytest

import rubric_dsl
from rubric_dsl.cli import main
from rubric_dsl.language import nodes as n
from rubric_dsl.outputs.reports import build_bulletin, commended_units

from .conftest import ROOT

EXAMPLES = ROOT / "examples"


def test_readme_library_example_runs(monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == ["70.76", "28.00"]


def test_library_example_runs():
    result = subprocess.run([sys.executable, str(EXAMPLES / "use_library.py")], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[0] == "通川區: 8.00"  # A.4.1 thematic 4 + A.4.2 city instruction 4
    assert "merged: 8.00" in result.stdout


@pytest.mark.parametrize(
    "rubric,events",
    [
        ("rubrics/2009_info.rubric", "examples/2009_info.events.jsonl"),
        ("rubrics/2009_info.rubric", "examples/2009_info.q2.events.csv"),
        ("rubrics/2009_informatization.rubric", "examples/2009_informatization.events.jsonl"),
        ("rubrics/2009_informatization.rubric", "examples/2009_informatization.milestones.events.yaml"),
        ("examples/2009_informatization_prorated.rubric", "examples/2009_informatization.events.jsonl"),
    ],
)
def test_every_example_stream_scores(capsys, rubric, events):
    assert main(["score", str(ROOT / rubric), str(ROOT / events), "--format", "json"]) == 0


def test_csv_and_jsonl_agree_on_the_same_events(info):
    jsonl = [e for e, _ in rubric_dsl.read_events(EXAMPLES / "2009_info.events.jsonl") if "2009-04-01" <= e["date"] <= "2009-06-30"]
    from_csv = info.score(rubric_dsl.read_events(EXAMPLES / "2009_info.q2.events.csv"))
    from_jsonl = info.score(jsonl)
    assert {u.unit: u.total for u in from_csv.units} == {u.unit: u.total for u in from_jsonl.units}


def test_examples_readme_shows_the_golden_explain_text():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for golden in ("explain_info_tongchuan.txt", "explain_informatization.txt"):
        assert (ROOT / "tests" / "golden" / golden).read_text(encoding="utf-8").rstrip() in readme


def test_as_of_counts_months_only_to_that_date(informatization):
    # B.4.1 as of June: six months, updates in four of them → 10 − 2 = 8
    events = [{"id": f"u{m}", "unit": "達州市", "date": f"2009-{m:02d}-05", "kind": "extranet_update"} for m in (1, 2, 3, 5, 9)]
    card = informatization.score(events, as_of=datetime.date(2009, 6, 30))
    assert card.unit("達州市").item("B.4.1").score == 8
    assert card.excluded_counts() == {"after the as-of date": 1}


def test_cli_as_of(capsys):
    status = main(
        [
            "score",
            str(ROOT / "rubrics/2009_info.rubric"),
            str(EXAMPLES / "2009_info.events.jsonl"),
            "--as-of",
            "2009-04-30",
            "--format",
            "json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 0 and data["as_of"] == "2009-04-30" and data["period"] == ["2009-04-01", "2009-04-30"]


def test_commend_top_per_group(info):
    # A.4.6 with the other criterion the language allows: the best unit of each group
    events = [
        {"id": "a", "unit": "達縣", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news", "quantity": 3},
        {"id": "b", "unit": "渠縣", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"},
        {"id": "c", "unit": "市民政局", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"},
    ]
    card = info.score(events)
    rubric = info.rubric
    import attrs

    top_each = attrs.evolve(rubric, commend=n.CommendTop(1, True))
    assert commended_units(top_each, card) == ("達縣", "市民政局")  # in rank order
    top_two = attrs.evolve(rubric, commend=n.CommendTop(2, False))
    assert commended_units(top_two, card) == ("達縣", "市民政局", "渠縣")  # a tie for second shares it (then by name)
    assert build_bulletin(info, info.tally(events), None).commended == ()  # nobody reaches 100% of the target
