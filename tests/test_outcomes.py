"""Unit outcomes and unit data (issue 9, lang2): attributes and unit tables, scores as values, `only when`,
sub-entities, grades, statuses, vetoes, units made of members, and ranks with tie-breaks. Every expected
number is worked by hand in the comment beside it."""

import json
from decimal import Decimal

import pytest

import rubric_dsl
from rubric_dsl.api import check_text, loads
from rubric_dsl.cli import main
from rubric_dsl.language.formatter import format_text
from rubric_dsl.testing import run_case

D = Decimal
HEAD = 'rubric "t"\nwindow 2022-01-01 to 2022-12-31\n'


def ev(i, unit, kind, date="2022-02-01", **fields):
    return {"id": f"e{i}", "unit": unit, "date": date, "kind": kind, **fields}


# ---- attributes, unit tables -------------------------------------------------------------------

ATTRS = (
    HEAD
    + """attribute kind: one of website | county
attribute external_service: boolean, default true
attribute quota: integer, optional
group sites "网站" with kind website
  unit "W1" with quota 2
  unit "W2" with external_service false, quota 3
event submitted
section A "a"
  item A.1 "met the unit's own quota"
    award 5 when count submitted >= quota
  item A.2 "service bonus"
    award 1
    only when unit external_service = true
"""
)


def test_attributes_typed_with_group_and_declared_defaults():
    program = loads(ATTRS)
    w1, w2 = program.units["W1"], program.units["W2"]
    assert w1.attribute("kind") == "website"  # from the group line
    assert w1.attribute("external_service") is True  # the declared default
    assert w2.attribute("external_service") is False
    assert w2.attribute("quota") == D(3)
    assert w1.attribute("group") == "sites"


def test_numeric_attribute_is_a_value_and_a_boolean_attribute_a_condition():
    events = [ev(1, "W1", "submitted"), ev(2, "W1", "submitted"), ev(3, "W2", "submitted"), ev(4, "W2", "submitted")]
    card = loads(ATTRS).score(events)
    # W1: 2 submitted >= quota 2 → 5; external service (default true) → 1
    assert (card.unit("W1").item("A.1").score, card.unit("W1").item("A.2").score) == (D(5), D(1))
    # W2: 2 < quota 3 → 0; no external service → the `only when` item is not counted
    assert (card.unit("W2").item("A.1").score, card.unit("W2").item("A.2").score) == (D(0), D(0))
    assert card.unit("W2").item("A.2").why_not[0].startswith("not counted: only when unit external_service = true")


def test_test_case_rows_replace_the_table_and_are_typed(tmp_path):
    program = loads(ATTRS)
    case = {
        "name": "rows",
        "units": [{"id": "X", "group": "sites", "quota": "1", "external_service": "false", "note": "ignored"}],
        "events": [ev(1, "X", "submitted")],
        "expect": {"X": {"total": 5, "items": {"A.1": 5, "A.2": 0}}},  # 1 >= 1 → 5; no service → 0
    }
    failures, card = run_case(program, case, tmp_path)
    assert failures == []
    assert [u.unit for u in card.units] == ["X"]  # W1 and W2 are not in this case's table


def test_units_from_a_file_and_units_on_the_command_line(tmp_path, capsys):
    (tmp_path / "t.rubric").write_text(
        ATTRS.replace('  unit "W1" with quota 2\n  unit "W2" with external_service false, quota 3\n', 'units from "units.csv"\n')
    )
    (tmp_path / "units.csv").write_text("unit,quota,external_service\nA,1,true\nB,2,false\n", encoding="utf-8")
    (tmp_path / "next.yaml").write_text("- {unit: C, group: sites, quota: 4}\n", encoding="utf-8")
    (tmp_path / "events.jsonl").write_text(json.dumps(ev(1, "A", "submitted")) + "\n", encoding="utf-8")
    card = rubric_dsl.load(tmp_path / "t.rubric").score([ev(1, "A", "submitted")])
    assert sorted(u.unit for u in card.units) == ["A", "B"]
    assert card.total("A") == D(6)  # 1 >= 1 → 5, service → 1
    capsys.readouterr()
    status = main(["score", str(tmp_path / "t.rubric"), str(tmp_path / "events.jsonl"), "--units", str(tmp_path / "next.yaml")])
    assert status == 1  # A is not in next.yaml's table (only C is), and this rubric rejects unlisted units
    assert "unit `A` is not in the rubric's tables" in capsys.readouterr().err
    status = main(["score", str(tmp_path / "t.rubric"), str(tmp_path / "events.jsonl"), "--units", str(tmp_path / "missing.csv")])
    assert status == 2
    assert "missing.csv: no such unit table" in capsys.readouterr().err


def test_unit_table_rows_with_mistakes_are_all_named(tmp_path):
    (tmp_path / "units.csv").write_text("unit,quota,colour\nA,x,red\n,1,\nA,1,\n", encoding="utf-8")
    program = loads(ATTRS)
    with pytest.raises(rubric_dsl.RubricError) as caught:
        rubric_dsl.api.with_unit_table(program, tmp_path / "units.csv")
    messages = [d.message for d in caught.value.diagnostics]
    assert any("units.csv:2: unit `A` has `colour`, which is not a declared attribute" in m for m in messages)
    assert any("units.csv:2: unit `A`: `quota` is a number, not 'x'" in m for m in messages)
    assert any("units.csv:3: a unit row needs the unit's name" in m for m in messages)
    assert any("units.csv:4: unit `A` is listed twice" in m for m in messages)
    assert {d.code for d in caught.value.diagnostics} == {"E308"}


# ---- scores as values, grades, statuses --------------------------------------------------------

GRADED = (
    HEAD
    + """unlisted units are scored apart
event adopted
event late
grade 达标 when total >= 6
grade 不达标 otherwise
status "watch" when score of C1 < 0
section S "s"
  item C1 "late submissions"
    deduct 1 for each late
  item C2 "adoptions"
    award 2 for each adopted
  item C3 "bonus only above 4 in C2"
    bonus 3 when count adopted >= 1
    only when score of C2 > 4
"""
)


def test_grade_and_status_from_total_and_scores():
    card = loads(GRADED).score(
        [ev(1, "u", "adopted"), ev(2, "u", "adopted"), ev(3, "u", "adopted"), ev(4, "u", "late"), ev(5, "v", "adopted")]
    )
    u, v = card.unit("u"), card.unit("v")
    # u: C1 -1, C2 3 × 2 = 6 > 4 so C3 +3: total 8 ≥ 6 → 达标; C1 < 0 → status "watch"
    assert (u.total, u.grade, u.status) == (D(8), "达标", "watch")
    # v: C2 2, not above 4 so C3 is not counted: total 2 → 不达标, no status
    assert (v.total, v.item("C3").score, v.item("C3").uncounted, v.grade, v.status) == (D(2), D(0), D(3), "不达标", None)
    data = card.to_json()["units"]
    assert {d["unit"]: (d["grade"], d["status"]) for d in data} == {"u": ("达标", "watch"), "v": ("不达标", None)}


def test_scores_read_in_dependency_order_whatever_the_source_order():
    text = (
        HEAD
        + 'unlisted units are scored apart\nevent a\nsection S "s"\n  item X "reads Y"\n    award 1\n    only when score of Y >= 2\n  item Y "read by X"\n    award 2 for each a\n'
    )
    card = loads(text).score([ev(1, "u", "a")])
    assert card.unit("u").item("X").score == D(1)  # Y = 2 is scored first although written after X


def test_a_score_reading_the_total_it_is_counted_in_is_a_cycle():
    text = HEAD + 'unlisted units are scored apart\nevent a\nsection S "s"\n  item X "x"\n    award 1\n    only when total > 3\n'
    _, diagnostics = check_text(text)
    assert [(d.code, d.message) for d in diagnostics] == [
        ("E431", "these scores depend on each other, so none can be computed first: X → X")
    ]
    # shown apart from the total, it may read it
    _, diagnostics = check_text(text + "    not in the total\n")
    assert diagnostics == []


# ---- vetoes, members ---------------------------------------------------------------------------

COUNTY = (
    HEAD
    + """attribute kind: one of site | account | county
attribute parent: text, optional
group g
  unit "W" with kind site
  unit "C" with kind county
  unit "C-1" with kind account, parent "C"
  unit "C-2" with kind account, parent "C"
event veto_finding
event bonus
  field points: decimal
veto when reached veto_finding and unit kind != county: no score, grade 不合格
veto when any member vetoed: score 59, grade 不合格, status "county vetoed"
combine members by parent: average
section S "s"
  item P "points"
    award 50
    bonus sum points of bonus
"""
)


def test_veto_fixes_no_score_and_stops_the_rest():
    card = loads(COUNTY).score([ev(1, "W", "veto_finding"), ev(2, "W", "bonus", points="5")])
    w = card.unit("W")
    assert (w.total, w.grade, w.rank) == (None, "不合格", None)
    assert w.item("P").score == D(0) and w.item("P").why_not[0].startswith("not scored: vetoed: reached veto_finding")
    assert card.to_json()["units"][-1]["total"] is None


def test_parent_combines_members_and_a_vetoed_member_fixes_it_at_59():
    card = loads(COUNTY).score([ev(1, "C-1", "bonus", points="10"), ev(2, "C-2", "bonus", points="20")])
    c = card.unit("C")
    # average of 60 and 70 = 65; items are the members' totals
    assert (c.total, c.items[0].item_id, c.items[1].score, c.members) == (D(65), "C-1", D(70), ("C-1", "C-2"))
    card = loads(COUNTY).score([ev(1, "C-1", "veto_finding"), ev(2, "C-2", "bonus", points="20")])
    c = card.unit("C")
    assert (c.total, c.grade, c.status) == (D(59), "不合格", "county vetoed")
    assert card.unit("C-1").total is None


# ---- sub-entities -------------------------------------------------------------------------------

INSPECTIONS = (
    HEAD
    + """unlisted units are scored apart
event inspection
  field inspection_id: text
  field type: one of initial | reinspection
event violation
  field inspection_id: text
  field points: integer
section S "s"
  item latest "latest"
    scored per inspection_id of inspection, taking the latest as chosen
    award sum points of violation
  item worst "highest"
    scored per inspection_id of inspection, taking the highest
    award sum points of violation
    not in the total
  item mean "average"
    scored per inspection_id of inspection, taking the average
    award sum points of violation
    not in the total
  item first "initial only"
    scored per inspection_id of inspection where type = initial, taking the latest
    award sum points of violation
    not in the total
"""
)


def test_items_scored_per_inspection_then_combined():
    events = [
        ev(1, "R", "inspection", "2022-03-01", inspection_id="i1", type="initial"),
        ev(2, "R", "violation", "2022-03-01", inspection_id="i1", points=7),
        ev(3, "R", "violation", "2022-03-01", inspection_id="i1", points=12),
        ev(4, "R", "inspection", "2022-03-09", inspection_id="i2", type="reinspection"),
        ev(5, "R", "violation", "2022-03-09", inspection_id="i2", points=10),
    ]
    r = loads(INSPECTIONS).score(events).unit("R")
    # i1 = 7 + 12 = 19, i2 = 10: latest i2 10; highest 19; average 14.5; the initial one 19
    assert [r.item(i).score for i in ("latest", "worst", "mean", "first")] == [D(10), D(19), D("14.5"), D(19)]
    assert r.total == D(10)  # only `latest` is in the total
    assert r.chosen("chosen") == "i2"
    assert r.item("latest").limits[0] == "inspection_id i2 (the latest of 2)"


def test_latest_word_comparison_and_the_unknown_word_is_named():
    text = INSPECTIONS + "grade A when latest type of inspection = initial\n"
    assert check_text(text)[1] == []
    _, diagnostics = check_text(INSPECTIONS + "grade A when latest type of inspection = inital\n")
    assert [(d.code, d.message) for d in diagnostics] == [("E302", "`inital` is not a declared value of `type` on inspection")]


# ---- ranks --------------------------------------------------------------------------------------

RACES = (
    HEAD
    + """attribute kind: one of driver | team, default driver
attribute team: text, optional
group g
  unit "A" with team "T"
  unit "B" with team "T"
  unit "C"
  unit "T" with kind team
event result
  field position: one of 1 | 2 | 3 | DNF
combine members by team: sum
rank within kind by total, then countback position of result
section S "s"
  item P "points"
    award for each result by position: 1 10, 2 6, 3 4, DNF 0
"""
)


def test_rank_within_a_group_with_countback():
    events = [
        ev(1, "A", "result", position="1"),  # A 10
        ev(2, "B", "result", position="2"),  # B 6 + 4 = 10, no win
        ev(3, "B", "result", position="3"),
        ev(4, "C", "result", position="2"),  # C 6 + 4 = 10, same places as B
        ev(5, "C", "result", position="3"),
    ]
    card = loads(RACES).score(events)
    ranks = {u.unit: u.rank for u in card.units}
    # all three drivers on 10: A has a win → 1; B and C equal on every count → share 2; T alone among teams → 1
    assert ranks == {"A": 1, "B": 2, "C": 2, "T": 1}
    assert card.total("T") == D(20)
    assert (
        "rank 1 of 3 among units with kind driver, by total, then countback position of result: total 10; position 1 ×1"
        in card.unit("A").outcome_notes
    )
    # explain says which key separated units level on the first (PROBE2_REPORT): A's win; B and C level on all
    assert card.unit("A").outcome_notes[-1] == "above B: level on total; decided by countback position of result"
    assert card.unit("B").outcome_notes[-2:] == (
        "below A: level on total; decided by countback position of result",
        "level with C on every key: the rank is shared",
    )


def test_rank_lowest_first():
    text = (
        HEAD
        + 'unlisted units are scored apart\nevent v\n  field points: integer\nrank by total lowest first\nsection S "s"\n  item P "p"\n    award sum points of v\n'
    )
    card = loads(text).score([ev(1, "x", "v", points=3), ev(2, "y", "v", points=1)])
    assert {u.unit: u.rank for u in card.units} == {"x": None, "y": None}  # unlisted units are never ranked
    listed = text.replace("unlisted units are scored apart\n", 'group g\n  unit "x"\n  unit "y"\n')
    card = loads(listed).score([ev(1, "x", "v", points=3), ev(2, "y", "v", points=1)])
    assert {u.unit: u.rank for u in card.units} == {"y": 1, "x": 2}


# ---- the language around them --------------------------------------------------------------------


@pytest.mark.parametrize("text", [ATTRS, GRADED, COUNTY, INSPECTIONS, RACES])
def test_fmt_keeps_meaning_and_is_stable(text):
    formatted = format_text(text)
    assert rubric_dsl.language.builder.parse(formatted) == rubric_dsl.language.builder.parse(text)
    assert format_text(formatted) == formatted


def test_explain_shows_the_outcome(tmp_path, capsys):
    (tmp_path / "t.rubric").write_text(COUNTY, encoding="utf-8")
    (tmp_path / "e.jsonl").write_text(json.dumps(ev(1, "C-1", "veto_finding")) + "\n", encoding="utf-8")
    assert main(["explain", str(tmp_path / "t.rubric"), str(tmp_path / "e.jsonl"), "--unit", "C"]) == 0
    out = capsys.readouterr().out
    assert "C: 59.00 points, rank 1" in out
    assert "made of its members: C-1, C-2" in out
    assert "outcome: grade 不合格; status: county vetoed" in out
    assert "  vetoed: any member vetoed: vetoed member C-1; the total is fixed at 59, nothing else is scored" in out


def test_a_team_tie_is_broken_by_its_drivers_countback():
    text = RACES.replace('  unit "C"\n', '  unit "C" with team "U"\n  unit "D" with team "U"\n  unit "U" with kind team\n')
    events = [
        ev(1, "A", "result", position="1"),  # T: A 10 + B 4 = 14, one win
        ev(2, "B", "result", position="3"),
        ev(3, "C", "result", position="2"),  # U: C 6 + D 6 (and a DNF) = 12
        ev(4, "D", "result", position="2"),
        ev(5, "D", "result", "2022-03-01", position="DNF"),
    ]
    card = loads(text).score(events)
    # T 14 (a win), U 6 + 6 = 12: T first on points alone
    assert (card.total("T"), card.total("U"), card.unit("T").rank, card.unit("U").rank) == (D(14), D(12), 1, 2)
    events[3] = ev(4, "D", "result", position="3")  # U: 6 + 4 = 10 …
    events.append(ev(6, "D", "result", "2022-04-01", position="3"))  # U: 6 + 4 + 4 = 14, no win
    card = loads(text).score(events)
    # level on 14: T has a win among its drivers' results, U none → T 1, U 2
    assert (card.total("T"), card.total("U"), card.unit("T").rank, card.unit("U").rank) == (D(14), D(14), 1, 2)


def test_a_table_attribute_is_checked_on_each_row_and_kept_off_unit_lines(tmp_path):
    text = HEAD + "attribute limits: table of decimal, optional\ngroup g\nevent e\n"
    program = loads(text)
    case = {"name": "t", "units": [{"unit": "X", "limits": {"甲": 10, "乙": "2.5"}}], "events": []}
    failures, _card = run_case(program, case, tmp_path)
    assert failures == []
    assert program.with_units(rubric_dsl.sources.unit_tables.units_from_rows(program.rubric, case["units"])).units["X"].attribute(
        "limits"
    ) == (("乙", D("2.5")), ("甲", D(10)))
    bad = {"name": "t", "units": [{"unit": "X", "limits": {"甲": "ten"}}], "events": []}
    with pytest.raises(rubric_dsl.testing.TestFileError, match=r"`limits\.甲` is a number, not 'ten'"):
        run_case(program, bad, tmp_path)
    _, diagnostics = check_text(text + 'group h\n  unit "Y" with limits 3\nevent f\n  field m: table of decimal\n')
    assert [(d.code, d.message) for d in diagnostics] == [
        ("E307", "`limits` is a table; give it in a unit table file or a test case's rows, not on the unit line"),
        ("E305", "`m` is a table; an event's field holds a single value"),
    ]


def test_bulletin_shows_grades_and_no_score(tmp_path, capsys):
    (tmp_path / "t.rubric").write_text(COUNTY, encoding="utf-8")
    (tmp_path / "e.jsonl").write_text(json.dumps(ev(1, "W", "veto_finding")) + "\n", encoding="utf-8")
    assert main(["report", str(tmp_path / "t.rubric"), str(tmp_path / "e.jsonl"), "--year", "--format", "csv", "--lang", "en"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].endswith(",grade")
    assert "g,—,W,no score,—,—,,不合格" in rows  # vetoed: no score, not ranked, graded by the veto


def test_coverage_counts_a_veto_or_grade_line_that_held(tmp_path):
    from rubric_dsl.testing import run_test_paths

    line = 'veto when any member vetoed: score 59, grade 不合格, status "county vetoed"\n'
    rubric = COUNTY.replace(line, line + '  clause C9 "a vetoed account fixes its county at 59"\n')
    (tmp_path / "t.rubric").write_text(rubric, encoding="utf-8")
    case = {"name": "no clause key", "events": [ev(1, "C-1", "veto_finding")], "expect": {"C": {"total": 59}}}
    (tmp_path / "t.test.yaml").write_text(json.dumps({"cases": [case]}), encoding="utf-8")
    out: list[str] = []
    assert run_test_paths([tmp_path], coverage=True, out=out.append, err=out.append) == 0
    assert "  clauses no case covered: C9" not in "\n".join(out)
    case["events"] = []  # the veto does not hold: C9 is not covered
    case["expect"] = {}
    (tmp_path / "t.test.yaml").write_text(json.dumps({"cases": [case]}), encoding="utf-8")
    out.clear()
    run_test_paths([tmp_path], coverage=True, out=out.append, err=out.append)
    assert "C9" in "\n".join(line for line in out if "clauses no case covered" in line)


FILTERED = (
    HEAD
    + """attribute kind: one of county | department
attribute open: boolean, default true
group counties with kind county
  unit "通川區"
group departments with kind department
  unit "市民政局" with open false
event adopted
  field outlet: one of a | b
section S "s"
  item S.1 "per group rates"
    award 2 for each adopted where unit kind = county and outlet = a
    award 1 for each adopted where unit in ("市民政局") and outlet = a
    award 5 for each adopted where unit group = departments and outlet = b and unit open = false
"""
)


def test_event_filters_can_test_the_units_attributes():
    from .test_reference import assert_agree

    events = [ev(1, "通川區", "adopted", outlet="a"), ev(2, "市民政局", "adopted", outlet="a"), ev(3, "市民政局", "adopted", outlet="b")]
    card = loads(FILTERED).score(events)
    assert card.total("通川區") == D(2)  # county rate 2 for `a`
    assert card.total("市民政局") == D(6)  # 1 for `a` by name, 5 for `b` as a department without service
    assert_agree(loads(FILTERED), events)  # the reference interpreter agrees
    assert format_text(FILTERED).count("where unit kind = county and outlet = a") == 1
    _, diagnostics = check_text(FILTERED.replace("unit kind = county", "unit knd = county"))
    assert [d.message for d in diagnostics if d.code == "E306"] == ["the condition names the unit attribute `knd`, which is not declared"]


def test_only_when_keeps_the_why_not_lines_on_uncounted_events_by_flag_not_by_wording():
    # `only when` zeroes B.1 and keeps, of its why-not lines, those saying events were left uncounted (issue 14:
    # a field of the result, not the words "not counted", which a rule's own text may hold).
    text = (
        HEAD
        + """attribute open: boolean
group g "g"
  unit "U" with open false
event submitted
  field title: text
section B "b"
  item B.1 "titled" base 2
    award 2 when reached submitted where title = "not counted"
    only when unit open = true
"""
    )
    events = [ev(1, "U", "submitted", "2021-12-01", title="x"), ev(2, "U", "submitted", "2022-02-01", title="x")]
    item = loads(text).score(events).unit("U").item("B.1")
    # U is not open → 0, with the reason; e1 is dated before the window's 2022-01-01 → one uncounted event;
    # the rule's "nothing reached" note (quoting "not counted" from its filter) is not about uncounted events
    assert item.score == D(0)
    assert item.why_not == (
        "not counted: only when unit open = true; the unit's open is false; needs = true",
        "1 submitted event dated before 2022-01-01 was not counted",
    )
