"""Compact tallies (issue 11): counts per event signature instead of a record per event give the same
scorecard as records, in every field a compact scorecard has (scores, rules, limits, why-not texts,
named values, ranks, exclusion counts, problems), on every rubric and stream of the repository and on
generated ones, and they merge exactly, within a process and across processes."""

from __future__ import annotations

import datetime
import json
import pathlib
import pickle
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.engine.program import Program
from rubric_dsl.sources.opening import read_events
from rubric_dsl.testing import load_cases, run_case
from tests.test_merging import AS_OF, INFO, chunks, cuts_of, spawned, streams
from tests.test_reference import EXAMPLE_STREAMS, TEST_FILES, differential_rubrics, differential_streams

ROOT = pathlib.Path(__file__).resolve().parent.parent


class CompactProgram(Program):
    """The same rubric, every tally compact (as `rubric score` tallies for a table, CSV or JSON without event provenance)."""

    def tally(self, events, start=0, path="<events>", compact=True):
        return super().tally(events, start=start, path=path, compact=True)


def compact_of(program: Program) -> CompactProgram:
    return CompactProgram(program.rubric, program.warnings)


def view(card) -> str:
    """Everything a compact scorecard holds: the JSON without event provenance, each unit's excluded count,
    the exclusion counts and every problem."""
    data = card.to_json("items")
    data["unit_excluded"] = [(u.unit, u.excluded) for u in card.units]
    data["problems"] = [p.render() for p in card.problems]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def assert_same(program, events, as_of=None, period=None):
    records = program.tally(events)
    compact = program.tally(events, compact=True)
    assert records.compact is False
    assert compact.compact is program.compactable
    assert view(program.finish(compact, as_of, period)) == view(program.finish(records, as_of, period))


def test_the_shipped_rubrics_tally_compactly():
    """Every slot of the info rubric (the benches' rubric) is read by sums and counts only: it is compact."""
    assert rubric_dsl.load(ROOT / "rubrics" / "2009_info.rubric").compactable


def test_a_rubric_that_names_events_keeps_records():
    """`no KIND` names the events that occurred when it fails: such a rubric is always tallied with records."""
    text = (ROOT / "rubrics" / "2009_info.rubric").read_text(encoding="utf-8")
    text += '\n  item Z "none"\n    award 1 when no instruction where level = province\n'
    program = rubric_dsl.loads(text, "named.rubric")
    assert not program.compactable
    assert program.tally([], compact=True).compact is False


def groups_of(tally):
    """(kind, unit, date, count, first seq, last seq) of each signature and day, in order of first events."""
    rows = []
    for code, count, first, last in zip(*tally.groups(), strict=True):
        kind, content, date = tally.content_of(list(tally.code_log).index(code))
        rows.append((kind, content[0], date, count, first, last))
    return rows


def test_a_compact_tally_keeps_no_event():
    """Four numbers per event, no record: 500 events of one unit, date, quantity and outlet are one
    signature and day (4.3.1 counts them: 500 × 1 point), and no record or excluded event is kept."""
    program = rubric_dsl.load(ROOT / "rubrics" / "2009_info.rubric")
    events = [{"id": f"e{n}", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"} for n in range(500)]
    events += [{"id": f"x{n}", "unit": "通川區", "date": "2009-03-01", "kind": "adopted", "outlet": "picture_news"} for n in range(50)]
    tally = program.tally(events, compact=True)
    assert groups_of(tally) == [
        ("adopted", "通川區", datetime.date(2009, 5, 1), 500, 0, 499),
        ("adopted", "通川區", datetime.date(2009, 3, 1), 50, 500, 549),
    ]
    assert len(tally.signatures) == 1 and len(tally.days) == 2  # one content, two days
    assert (len(tally.seq_log), len(tally.code_log), len(tally.id_hashes)) == (550, 550, 550)
    assert not hasattr(tally, "excluded") and all(records == [] for slots in tally.units.values() for records in slots)
    card = program.finish(tally)
    # A.4.3: 1 point for each picture_news adopted in the window; the 50 dated before 2009-04-01 are not counted
    assert card.unit("通川區").item("A.4.3").score == 500
    assert card.excluded_counts() == {"before the window": 50}
    assert card.unit("通川區").excluded == 50


@pytest.mark.parametrize("test_file", TEST_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_test_case_in_the_repository(test_file):
    rubric_path, cases = load_cases(test_file)
    program = rubric_dsl.load(rubric_path)
    compact = compact_of(program)
    for number, case in enumerate(cases, 1):
        where = f"{test_file}::{case.get('name', number)}"
        failures, card = run_case(program, case, test_file.parent, where)
        compact_failures, compact_card = run_case(compact, case, test_file.parent, where)
        assert compact_failures == failures, where
        assert (compact_card and view(compact_card)) == (card and view(card)), where


@pytest.mark.parametrize("rubric,events", EXAMPLE_STREAMS)
def test_every_example_stream(rubric, events):
    program = rubric_dsl.load(ROOT / rubric)
    stream = list(read_events(str(ROOT / events)))
    for as_of in (None, datetime.date(2009, 6, 30)):
        assert_same(program, stream, as_of)
    assert_same(program, stream, None, "2009-Q2")  # a period: events before and after it are counted per unit and kind


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_compact_and_records_agree_on_generated_rubrics_and_streams(data):
    text, fields = data.draw(differential_rubrics())
    program = rubric_dsl.loads(text, "generated.rubric")
    events = data.draw(differential_streams(fields))
    as_of = data.draw(st.sampled_from([None, datetime.date(2009, 5, 31), datetime.date(2009, 8, 15)]))
    period = data.draw(st.sampled_from([None, None, "2009-Q2", "2009-05"]))
    assert_same(program, events, as_of, period)


def compact_json(program, tally, as_of):
    return view(program.finish(tally, as_of))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(streams(), st.lists(st.integers(0, 30), max_size=4), AS_OF, st.booleans(), st.booleans())
def test_merged_compact_chunks_score_as_the_whole_stream(info, events, cuts, as_of, backwards, consume):
    """The merge property of test_merging over compact tallies: re-sends and conflicting copies across the cuts
    are taken out of the later chunk's counts, and the result is the whole stream's, compact or not (also
    when the merge takes over the parts' containers, as --jobs does)."""
    whole = compact_json(info, info.tally(events), as_of)
    parts = [info.tally(chunk, start=start, compact=True) for chunk, start in chunks(events, cuts_of(cuts, len(events)))]
    if backwards:
        merged = parts[-1]
        for part in reversed(parts[:-1]):
            merged = part.merge(merged, consume)
    else:
        merged = parts[0]
        for part in parts[1:]:
            merged = merged.merge(part, consume)
    assert merged.compact
    assert compact_json(info, merged, as_of) == whole


def compact_tally_in_worker(rubric: str, events: list, start: int) -> bytes:
    return pickle.dumps(rubric_dsl.load(rubric).tally(events, start=start, compact=True))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(streams(), st.lists(st.integers(0, 30), min_size=1, max_size=3), AS_OF)
def test_compact_chunks_tallied_in_other_processes_merge_exactly(info, compact_pool, events, cuts, as_of):
    whole = compact_json(info, info.tally(events), as_of)
    pieces = chunks(events, cuts_of(cuts, len(events)))
    tallies = [pickle.loads(compact_pool.submit(compact_tally_in_worker, INFO, chunk, start).result()) for chunk, start in pieces]
    merged = tallies[0]
    for tally in tallies[1:]:
        merged = merged.merge(tally)
    assert compact_json(info, merged, as_of) == whole


@pytest.fixture(scope="module")
def compact_pool():
    with spawned() as executor:
        yield executor


def test_compact_and_records_tallies_do_not_merge(info):
    with pytest.raises(ValueError):
        info.tally([]).merge(info.tally([], compact=True))


def test_an_unlisted_unit_whose_first_event_is_a_dropped_copy_keeps_its_later_events_in_a_merge_of_merges():
    # Chunks [e2 of 通川區] [e0] [e2 again, of the unlisted 市信息產業局; e1 of 市信息產業局], merged from the back:
    # the later e2 differs from the first (its unit), so it is a conflict and is dropped, and the unit's first
    # event becomes e1. In the merged tally the log numbers signatures by their place in the merged list, so
    # the unit's later events are found by that place (found by the property above; a KeyError before).
    info = rubric_dsl.load(INFO)
    events = [
        {"id": "e2", "unit": "通川區", "date": "2009-03-31", "kind": "adopted", "outlet": "daily_provincial", "category": "dynamic"},
        {"id": "e0", "unit": "通川區", "date": "2009-03-31", "kind": "instruction", "level": "city"},
        {"id": "e2", "unit": "市信息產業局", "date": "2009-03-31", "kind": "adopted", "outlet": "city_express"},
        {"id": "e1", "unit": "市信息產業局", "date": "2009-04-01", "kind": "adopted", "outlet": "daily_provincial", "category": "dynamic"},
    ]
    whole = compact_json(info, info.tally(events), None)
    first, second, third = (info.tally(chunk, start=start, compact=True) for chunk, start in chunks(events, [1, 2]))
    merged = first.merge(second.merge(third))
    assert "市信息產業局" in merged.unlisted and merged.unlisted["市信息產業局"][0] == 3  # e1, the fourth event (seq 3)
    assert compact_json(info, merged, None) == whole


def test_later_copies_are_found_when_the_tally_is_read_and_merged_parts_are_judged_as_one():
    # Ids are not checked per event: a compact tally logs every valid event and finds later copies of an
    # id when it is first read (CompactTally.settle), in the whole of what it holds, so a merge only joins
    # the logs. Worked by hand: seq 0 and 1 are picture_news of 通川區 on 2009-05-01, seq 2 the same on
    # 2009-05-02, seq 3 a re-send of e1 (seq 0). Whole stream: four events logged, seq 3 left out as
    # re-sent; 2009-05-01 counts 2 (first 0, last 1), 2009-05-02 counts 1 (2, 2). Cut after seq 0, the later
    # part holds e1's seq 3 as its own first copy; merged, it is a later copy again and the groups are the
    # whole stream's. A.4.3 (1 point for each picture_news adopted) gives 通川區 3 points either way.
    info = rubric_dsl.load(INFO)
    adopted = {"unit": "通川區", "kind": "adopted", "outlet": "picture_news"}
    events = [
        {"id": "e1", "date": "2009-05-01", **adopted},
        {"id": "e2", "date": "2009-05-01", **adopted},
        {"id": "e3", "date": "2009-05-02", **adopted},
        {"id": "e1", "date": "2009-05-01", **adopted},
    ]
    whole = info.tally(events, compact=True)
    assert len(whole.seq_log) == 4
    expected = [("adopted", "通川區", datetime.date(2009, 5, 1), 2, 0, 1), ("adopted", "通川區", datetime.date(2009, 5, 2), 1, 2, 2)]
    assert groups_of(whole) == expected
    assert [(e.event_id, e.seq, e.detail) for e in whole.resent] == [("e1", 3, "first at <events>[0]")]
    earlier, later = info.tally(events[:1], compact=True), info.tally(events[1:], start=1, compact=True)
    assert later.resent == [] and groups_of(later)[0][3] == 2  # (seq 1 and 3: e1 is new to this part)
    merged = earlier.merge(later)
    assert groups_of(merged) == expected
    for tally in (whole, merged):
        card = info.finish(tally)
        assert card.unit("通川區").item("A.4.3").score == 3
        assert card.excluded_counts() == {"re-sent": 1}


def test_fields_outside_the_signature_tell_a_re_send_from_a_conflict():
    # `item` (free text) of an instruction is read by no rule of the info rubric, so it is not in the
    # signature: a fingerprint of it is logged when it has a value. Worked by hand: e1 without an item,
    # then e1 with item "A": other content, rejected; e2 with item "B" twice: a re-send; e3 without an
    # item twice: a re-send. Counted: e1, e2, e3 (city-level instructions, 4.2.1: 4 points each) = 12.
    info = rubric_dsl.load(INFO)
    base = {"unit": "通川區", "date": "2009-05-01", "kind": "instruction", "level": "city"}
    events = [
        {"id": "e1", **base},
        {"id": "e1", **base, "item": "A"},
        {"id": "e2", **base, "item": "B"},
        {"id": "e2", **base, "item": "B"},
        {"id": "e3", **base},
        {"id": "e3", **base},
    ]
    for tally in (info.tally(events), info.tally(events, compact=True)):
        assert [(p.seq, p.field) for p in tally.problems] == [(1, "id")]
        assert [(e.event_id, e.seq) for e in tally.resent] == [("e2", 3), ("e3", 5)]
        assert info.finish(tally).unit("通川區").total == 12
    assert compact_json(info, info.tally(events, compact=True), None) == compact_json(info, info.tally(events), None)


def test_groups_counted_in_place_and_by_sorting_agree(monkeypatch):
    """CompactTally.groups counts (signature, day) pairs in arrays with a slot each when they are few,
    and by one sort of the codes when they are many: both give the same groups, in order of first events."""
    from rubric_dsl.engine import compact as compact_module

    info = rubric_dsl.load(INFO)
    rng = random.Random(7)
    units = ["通川區", "達縣", "宣漢縣", "市信息產業局"]
    events = [
        {
            "id": f"e{rng.randrange(900)}",
            "unit": rng.choice(units),
            "date": f"2009-0{rng.randrange(3, 10)}-1{rng.randrange(10)}",
            "kind": "adopted",
            "outlet": rng.choice(["picture_news", "province"]),
            **({"quantity": 2} if rng.random() < 0.2 else {}),
        }
        for _ in range(400)
    ]
    dense = info.tally(events, compact=True).groups()
    monkeypatch.setattr(compact_module, "DENSE_GROUPS", 0)
    monkeypatch.setattr(compact_module, "DENSE_PER_EVENT", 0)  # (so the sort is taken)
    tally = info.tally(events, compact=True)
    assert tally.groups() == dense
    assert sum(dense[1]) == tally.valid_count and len(set(dense[2])) == len(dense[2])


def test_a_tally_hashed_in_another_process_is_hashed_again_before_its_ids_are_compared():
    """Python keys its hash of a text per process: a compact tally made elsewhere (a spawned worker, a
    Dask worker) carries that process's key (`salt`) and hashes. Before its ids are compared with this
    process's (a merge) or among themselves, they are hashed again from their texts. Simulated here with
    hashes from another key: e1 sent twice across the two parts is still one re-send."""
    from rubric_dsl.engine import compact as compact_module

    info = rubric_dsl.load(INFO)
    adopted = {"unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"}
    earlier = info.tally([{"id": "e1", **adopted}, {"id": "e2", **adopted}], compact=True)
    later = info.tally([{"id": "e3", **adopted}, {"id": "e1", **adopted}], start=2, compact=True)
    later.flush_ids()
    later.salt = compact_module.SALT + 1  # as if made under another key: its hashes are not this process's
    later.id_hashes = type(later.id_hashes)("q", [hash(("other key", text)) for text in later.id_texts()])
    merged = earlier.merge(later)
    assert merged.salt == compact_module.SALT
    assert [(e.event_id, e.seq) for e in merged.resent] == [("e1", 3)]
    assert info.finish(merged).unit("通川區").item("A.4.3").score == 3  # e1, e2, e3: 1 point each (4.3.1)
