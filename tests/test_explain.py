"""`explain` output pinned by golden files (regenerate with UPDATE_GOLDEN=1 and review the diff)."""

import os

import pytest

import rubric_dsl
from rubric_dsl.outputs.explain import explain_unit

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
CASES = [
    ("2009_info.rubric", "2009_info.events.jsonl", "通川區", None, "explain_info_tongchuan.txt"),
    ("2009_informatization.rubric", "2009_informatization.events.jsonl", "達州市", None, "explain_informatization.txt"),
    ("2009_informatization.rubric", "2009_informatization.events.jsonl", "達州市", "B.2.2.1", "explain_b221.txt"),
]


@pytest.mark.parametrize("rubric,events,unit,item,golden", CASES, ids=[c[4] for c in CASES])
def test_explain_golden(rubric, events, unit, item, golden):
    program = rubric_dsl.load(ROOT / "rubrics" / rubric)
    card = program.score(rubric_dsl.read_events(str(ROOT / "examples" / events)))
    text = explain_unit(program, card, unit, item)
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_why_not_names_a_missed_deadline(informatization):
    # B.3.1: the milestone after 2009-06-30 earns nothing, and explain says so
    card = informatization.score([{"id": "n", "unit": "達州市", "date": "2009-07-02", "kind": "milestone", "task": "paperless_migration"}])
    assert card.unit("達州市").item("B.3.1").why_not == ("paperless_migration reached 2009-07-02, after the 2009-06-30 deadline",)


def test_why_not_counts_events_before_the_window(info):
    # A.4.7: events before April are not counted, and the reason names the clause
    events = [{"id": f"e{n}", "unit": "通川區", "date": f"2009-03-0{n + 1}", "kind": "adopted", "outlet": "picture_news"} for n in range(3)]
    item = info.score(events).unit("通川區").item("A.4.3")
    assert item.why_not == (
        "no adopted where outlet = picture_news counted in the period",
        "A.4.7: 3 adopted events dated before 2009-04-01 were not counted",
    )
