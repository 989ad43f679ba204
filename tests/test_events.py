"""Bad events: each kind of problem, asserting the message and the place."""

import json

import pytest

import rubric_dsl
from rubric_dsl.sources.opening import read_events

GOOD = {"id": "e1", "unit": "通川區", "date": "2009-05-04", "kind": "adopted", "outlet": "daily_provincial", "category": "dynamic"}


def problems_of(program, events):
    tally = program.tally(events)
    return [(str(p.place), p.message) for p in tally.problems]


@pytest.mark.parametrize(
    "change,message",
    [
        ({"kind": "adoptd"}, "unknown event kind `adoptd` (did you mean `adopted`?)"),
        ({"colour": "red"}, "unknown field `colour` for kind `adopted` (did you mean `column`?); its fields are: category, column, outlet"),
        ({"outlet": "daily"}, '`outlet` is "daily", which is not one of city_express | daily_provincial | picture_news | province'),
        ({"category": None}, "missing `category`: it is required when outlet = daily_provincial"),
        ({"date": "2009-02-30"}, '`date` must be a real date YYYY-MM-DD, not "2009-02-30"'),
        ({"date": None}, "missing `date`"),
        ({"quantity": 0}, "`quantity` must be a whole number of at least 1, not 0"),
        ({"quantity": "two"}, '`quantity` must be a whole number of at least 1, not "two"'),
        ({"id": None}, "missing `id`: every event needs an id unique in its stream"),
        ({"unit": None}, "missing `unit`: every event names the unit it belongs to"),
        ({"column": "briefs"}, "`column` is only allowed when outlet = city_express"),
        ({"outlet": ["daily_provincial"]}, "`outlet` holds a list; it takes a single value"),
        ({"date": {"y": 2009}}, "`date` holds an object; it takes a single value"),
    ],
)
def test_bad_event(info, change, message):
    event = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    assert problems_of(info, [event]) == [("<events>[0]", message)]


def test_bad_value(info):
    event = {"id": "p", "unit": "通川區", "date": "2009-05-04", "kind": "provincial_score", "value": "abc"}
    assert problems_of(info, [event]) == [("<events>[0]", '`value` must be a number, not "abc"')]
    event["value"] = "-1"
    assert problems_of(info, [event]) == [("<events>[0]", "`value` is -1, below the least allowed 0")]


def test_conflicting_duplicate_names_both_places(info):
    other = dict(GOOD, category="thematic")
    assert problems_of(info, [GOOD, other]) == [("<events>[1]", "id `e1` was already used at <events>[0] with different content")]


def test_jsonl_places_broken_json_and_non_objects(info, tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n{broken\n[1, 2]\n", encoding="utf-8")
    tally = info.tally(read_events(str(path)))
    rendered = [p.render() for p in tally.problems]
    assert rendered[0].splitlines()[0] == f"{path}:2: error: broken JSON: Expecting property name enclosed in double quotes"
    assert rendered[1].splitlines()[0] == f"{path}:3: error: expected an object {{…}}, found list"


def test_jsonl_caret_points_at_the_bad_field(info, tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(dict(GOOD, outlet="daily"), ensure_ascii=False) + "\n", encoding="utf-8")
    rendered = info.tally(read_events(str(path))).problems[0].render().splitlines()
    assert rendered[1].startswith("     1 | {")
    # the caret sits under `"outlet"` in display cells (each CJK character takes two)
    from wcwidth import wcswidth

    prefix = rendered[1][: rendered[1].index('"outlet"')]
    assert rendered[2].index("^") == wcswidth(prefix)


def test_csv_cells_are_coerced(info, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        "id,unit,date,kind,outlet,category,quantity\nc1,通川區,2009-05-04,adopted,daily_provincial,thematic,2\n", encoding="utf-8"
    )
    card = info.score(read_events(str(path)))
    assert card.total("通川區") == 8


def test_yaml_yes_and_no_are_words(tmp_path):
    # YAML 1.1 would read `upheld: yes` as a boolean; event values are words
    path = tmp_path / "e.yaml"
    path.write_text("- {id: a, upheld: yes, on: off, flag: true}\n", encoding="utf-8")
    [(record, _)] = list(rubric_dsl.read_events(path))
    assert record == {"id": "a", "upheld": "yes", "on": "off", "flag": True}


def test_yaml_decimals_stay_exact(informatization, tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("- {id: a, unit: 達州市, date: 2009-05-01, kind: portal_adoption, type: crawled, quantity: 3}\n", encoding="utf-8")
    card = informatization.score(read_events(str(path)))
    assert str(card.unit("達州市").item("B.2.2.4").raw) == "0.3"


def test_invalid_events_raise_one_documented_error(info):
    with pytest.raises(rubric_dsl.EventError) as caught:
        info.score([dict(GOOD, kind="nope")])
    assert "unknown event kind `nope`" in str(caught.value)


def test_misspelt_unit_warns_with_the_unit_meant(info):
    # The info rubric matches names across scripts (通川区 counts for 通川區, tests/test_unit_names.py);
    # a slip of one character still only draws the warning.
    tally = info.tally([dict(GOOD, unit="通州区")])
    assert tally.warnings == [
        "<events>[0]: warning: unit `通州区` is not in the rubric's tables; did you mean `通川區`? (one character differs)"
    ]


def test_rejected_unit_policy(informatization):
    event = {"id": "x", "unit": "巴中市", "date": "2009-05-01", "kind": "dead_link"}
    assert problems_of(informatization, [event]) == [
        ("<events>[0]", "unit `巴中市` is not in the rubric's tables, and this rubric rejects unlisted units")
    ]


def test_unicode_kinds_and_fields_that_fold_alike_stay_apart():
    # Python folds identifiers to NFKC (ａ → a); generated code must not merge these two fields.
    text = (
        'rubric "測試"\nwindow 2009-01-01 to 2009-12-31\nunlisted units are scored apart\n'
        "event 採用\n  field ａ: one of 甲 | 乙\n  field a: one of 甲 | 乙\n"
        'section S "節"\n  item S.1 "項"\n    award 2 for each 採用 where ａ = 甲 and a = 乙\n'
    )
    program = rubric_dsl.loads(text)
    card = program.score([{"id": "1", "unit": "某單位", "date": "2009-05-01", "kind": "採用", "ａ": "甲", "a": "乙"}])
    assert card.total("某單位") == 2


# ---- every problem of an invalid event (issue 9, item 1) ----------------------------------------------


def every_problem_of(program, events):
    return [[(p.place.at(p.field), p.field, p.message) for p in rejected.problems] for rejected in program.tally(events).problems]


def test_every_problem_of_an_event_is_reported_in_order(info):
    # three problems in one event: an undeclared field, a quantity below 1 and an undeclared outlet;
    # reported in the handler's order (unknown fields, the common fields, then the kind's own)
    event = dict(GOOD, outlet="daily", quantity=0, colour="red")
    assert every_problem_of(info, [event]) == [
        [
            (
                "<events>[0]",
                "colour",
                "unknown field `colour` for kind `adopted` (did you mean `column`?); its fields are: category, column, outlet",
            ),
            ("<events>[0]", "quantity", "`quantity` must be a whole number of at least 1, not 0"),
            ("<events>[0]", "outlet", '`outlet` is "daily", which is not one of city_express | daily_provincial | picture_news | province'),
        ]
    ]


def test_a_condition_on_a_field_with_a_problem_is_not_judged(info):
    # `category` is required when outlet = daily_provincial: with the outlet itself wrong, whether the
    # category is missing is unknown, so only the outlet is reported; a bad date is reported beside it
    event = dict(GOOD, outlet="daily", date="2009-02-30")
    del event["category"]
    assert [[m for _p, _f, m in one] for one in every_problem_of(info, [event])] == [
        [
            '`date` must be a real date YYYY-MM-DD, not "2009-02-30"',
            '`outlet` is "daily", which is not one of city_express | daily_provincial | picture_news | province',
        ]
    ]


def test_one_rejected_event_however_many_problems(info):
    # accepted + rejected = input: two bad events (five problems between them) and one good one;
    # b2: `colour` undeclared, the date not real, and `column` given though the outlet is not city_express
    bad = [dict(GOOD, id="b1", outlet="daily", quantity=0), dict(GOOD, id="b2", colour="red", column="x", date="2009-13-01")]
    tally = info.tally([GOOD, *bad])
    assert len(tally.problems) == 2
    assert [len(p.problems) for p in tally.problems] == [2, 3]
    card = info.finish(tally)
    assert card.events_read == 3 and card.events_scored == 1
    data = card.to_json()
    assert [len(p["problems"]) for p in data["rejected"]] == [2, 3]
    assert data["rejected"][1]["problems"][2] == {
        "place": "<events>[2]",
        "message": "`column` is only allowed when outlet = city_express",  # the outlet is daily_provincial
        "field": "column",
    }


def test_every_problem_is_rendered_and_raised(info):
    bad = dict(GOOD, outlet="daily", quantity=0)
    with pytest.raises(rubric_dsl.EventError) as raised:
        info.score([bad])
    text = str(raised.value)
    assert "<events>[0]: error: `quantity` must be a whole number of at least 1, not 0" in text
    assert '<events>[0]: error: `outlet` is "daily", which is not one of' in text


def test_valid_events_never_take_the_slow_path(info, monkeypatch):
    # collecting more problems costs nothing on a valid event: the collector runs only after a rejection
    from rubric_dsl.engine import program as program_module

    calls = []
    real = program_module.every_problem
    monkeypatch.setattr(program_module, "every_problem", lambda *a: calls.append(a[1]["id"]) or real(*a))
    express = {"id": "e2", "unit": "通川區", "date": "2009-05-04", "kind": "adopted", "outlet": "city_express", "column": "problems"}
    info.tally([GOOD, express, dict(GOOD, id="e3", quantity=0)])
    assert calls == ["e3"]


def test_an_unlisted_unit_is_reported_with_the_fields_problems(informatization):
    # the informatization rubric rejects unlisted units: an event with an out-of-range reply rate (C: from 0 to 1)
    # for a unit not in its tables has both problems, the unit's last (the handler judges the unit after the fields)
    event = {"id": "x", "unit": "巴中市", "date": "2009-05-01", "kind": "interactive_column", "name": "n", "reply_rate": "1.5"}
    (problem,) = informatization.tally([event]).problems
    assert [(p.field, p.message) for p in problem.problems] == [
        ("reply_rate", "`reply_rate` is 1.5, outside 0 to 1"),
        ("unit", "unit `巴中市` is not in the rubric's tables, and this rubric rejects unlisted units"),
    ]


def test_a_long_rejected_line_is_shown_cut_around_its_column():
    """A rejected line longer than EXCERPT characters is shown as an excerpt around the column, cut with `…`, the caret
    under the same character (a 200 KB line was printed whole under its message; found by the adversarial pass)."""
    from rubric_dsl.sources.events import EXCERPT, excerpt

    text = '{"id": "1", "pad": "' + "x" * 100_000 + '", "bad": ?}'
    column = text.index("?") + 1
    shown, at = excerpt(text, column)
    assert len(shown) == EXCERPT + 1 and shown.startswith("…") and not shown.endswith("…")  # cut before only: the end is near
    assert shown[at - 1] == "?"
    shown, at = excerpt(text, 3)  # a column near the start: cut after only
    assert shown == text[:EXCERPT] + "…" and at == 3
    assert excerpt('{"a": 1}', 2) == ('{"a": 1}', 2)  # a short line as it is
