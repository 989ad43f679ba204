"""Unit names across scripts and aliases: `unit names match across scripts`, `unit "…" also "…"` (issue 12)."""

import json

import opencc

import rubric_dsl
from rubric_dsl.cli import main
from rubric_dsl.language.formatter import format_text

from .conftest import ROOT

EXAMPLES = ROOT / "examples"
TO_SIMPLIFIED = opencc.OpenCC("t2s").convert

SMALL = """rubric "t"
window 2009-04-01 to 2009-12-31
unlisted units are scored apart
{fold}group counties "縣" target 150
  unit "通川區"
  unit "達縣" also "達川區"
event adopted
section A "a"
  item A.1 "i"
    award 2 for each adopted
"""


def small(fold=True):
    return rubric_dsl.loads(SMALL.format(fold="unit names match across scripts\n" if fold else ""), "t.rubric")


def adopted(event_id, unit):
    return {"id": event_id, "unit": unit, "date": "2009-05-04", "kind": "adopted"}


def test_simplified_stream_gives_the_traditional_scorecard(info):
    """The shipped Simplified stream is the Traditional one through OpenCC, and scores the same (A.4.1–A.4.5)."""
    traditional = (EXAMPLES / "2009_info.events.jsonl").read_text(encoding="utf-8")
    simplified = (EXAMPLES / "2009_info.events.zh-Hans.jsonl").read_text(encoding="utf-8")
    assert simplified == TO_SIMPLIFIED(traditional)
    assert simplified != traditional
    hant = info.score(rubric_dsl.read_events(EXAMPLES / "2009_info.events.jsonl")).to_json()
    hans = info.score(rubric_dsl.read_events(EXAMPLES / "2009_info.events.zh-Hans.jsonl")).to_json()
    # Listed units keep their listed (Traditional) names, with identical scores, ranks and item provenance.
    assert [u for u in hans["units"] if u["listed"]] == [u for u in hant["units"] if u["listed"]]
    # No listed unit fell into the unlisted table: the only unlisted unit is the one the Traditional stream
    # has too (市信息產業局 is in neither target table), named as the stream names it.
    assert [(u["unit"], u["total"]) for u in hant["units"] if not u["listed"]] == [("市信息產業局", "3.00")]
    assert [(u["unit"], u["total"]) for u in hans["units"] if not u["listed"]] == [("市信息产业局", "3.00")]

    def kept_out(card):  # the same events kept out, for the same reasons (places name the file, so compare lines)
        return [(e["id"], e["kind"], e["date"], e["place"].rsplit(":", 1)[1], e["reason"].split(" (")[0]) for e in card["excluded"]]

    assert kept_out(hans) == kept_out(hant) and len(kept_out(hant)) == 55
    assert hans["events_scored"] == hant["events_scored"]
    assert not [w for w in hans["warnings"] if "not in the rubric's tables" in w]
    # every unit the Simplified stream names differently is recorded once, as the other script
    matched = {m["name"]: (m["unit"], m["why"]) for m in hans["matched_names"]}
    assert matched["通川区"] == ("通川區", "other_script")
    assert matched["达县"] == ("達縣", "other_script")
    assert all(why == "other_script" and TO_SIMPLIFIED(unit) == name for name, (unit, why) in matched.items())
    assert hant["matched_names"] == []


def test_alias_and_other_script_score_to_the_listed_unit():
    """Three events under three spellings of 達縣: 3 × 2 points, all for the listed name."""
    card = small().score([adopted("a", "達川區"), adopted("b", "达川区"), adopted("c", "达县")])
    assert [(u.unit, u.total, u.listed) for u in card.units] == [("達縣", 6, True), ("通川區", 0, True)]
    data = card.to_json()
    assert [u["unit"] for u in data["units"]] == ["達縣", "通川區"]
    assert {(m["name"], m["unit"], m["why"]) for m in data["matched_names"]} == {
        ("達川區", "達縣", "alias"),
        ("达川区", "達縣", "alias"),
        ("达县", "達縣", "other_script"),
    }


def test_without_folding_only_exact_aliases_count():
    """No `unit names match across scripts`: 达县 is unlisted (with the near-miss warning), 達川區 still counts."""
    card = small(fold=False).score([adopted("a", "達川區"), adopted("b", "达县")])
    assert card.total("達縣") == 2
    assert not card.unit("达县").listed and card.total("达县") == 2
    assert any("unit `达县` is not in the rubric's tables; did you mean `達縣`?" in w for w in card.warnings)


def test_near_miss_warning_remains_for_other_names():
    """A one-character slip is not folded: scored apart, with the warning naming the unit meant."""
    card = small().score([adopted("a", "通州區")])
    assert not card.unit("通州區").listed
    assert any("unit `通州區` is not in the rubric's tables; did you mean `通川區`? (one character differs)" in w for w in card.warnings)


def test_explain_notes_each_other_name_once(capsys, tmp_path):
    rubric = tmp_path / "t.rubric"
    rubric.write_text(SMALL.format(fold="unit names match across scripts\n"), encoding="utf-8")
    events = tmp_path / "e.jsonl"
    events.write_text(
        "".join(json.dumps(adopted(i, u), ensure_ascii=False) + "\n" for i, u in [("a", "达县"), ("b", "达县"), ("c", "達川區")]),
        encoding="utf-8",
    )
    assert main(["explain", str(rubric), str(events), "--unit", "達縣"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("達縣: 6.00 points")
    notes = [line for line in out.splitlines() if line.startswith("note: events naming")]
    assert notes == [
        f"note: events naming `达县` are counted here (the same name in the other script; first at {events}:1)",
        f"note: events naming `達川區` are counted here (an alias in the rubric; first at {events}:3)",
    ]


def test_resend_under_the_other_spelling_is_a_resend():
    card = small().score([adopted("a", "達縣"), adopted("a", "达县")])
    assert card.total("達縣") == 2
    assert [e.reason.value for e in card.excluded] == ["re-sent"]


def test_chunks_merge_their_matched_names():
    rubric = small()
    first = rubric.tally([adopted("a", "达县")])
    second = rubric.tally([adopted("b", "通川区")], start=1)
    card = rubric.finish(first.merge(second))
    assert (card.total("達縣"), card.total("通川區")) == (2, 2)
    assert [(m.name, m.unit) for m in card.matched] == [("达县", "達縣"), ("通川区", "通川區")]


def test_shipped_info_rubric_declares_folding_and_the_renamed_county(info):
    assert info.rubric.fold_scripts
    assert next(u for u in info.rubric.units if u.name == "達縣").aliases == ("達川區",)


def test_fmt_keeps_aliases_and_the_folding_line():
    text = SMALL.format(fold="unit names match across scripts\n")
    messy = text.replace('  unit "達縣" also "達川區"', 'unit   "達縣"   also "達川區" ,"达川区"')
    formatted = format_text(messy)
    assert '  unit "達縣" also "達川區", "达川区"\n' in formatted
    assert "\nunit names match across scripts\n" in formatted
    assert format_text(formatted) == formatted


def test_check_json_gives_E208_for_two_units_folding_to_one(capsys, tmp_path):
    path = tmp_path / "t.rubric"
    path.write_text(SMALL.format(fold="unit names match across scripts\n") + 'group more\n  unit "通川区"\n', encoding="utf-8")
    assert main(["check", str(path), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(d["code"], d["line"]) for d in found["diagnostics"]] == [("E208", 13)]
