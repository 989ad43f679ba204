"""Merging chunk tallies: the scorecard of merged chunks is the whole stream's in every field, whatever the
chunking, the order of merging, and the process that tallied or merged each chunk (tallies pickled)."""

from __future__ import annotations

import concurrent.futures
import datetime
import itertools
import json
import multiprocessing
import pathlib
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl

ROOT = pathlib.Path(__file__).resolve().parent.parent
INFO = str(ROOT / "rubrics" / "2009_info.rubric")

# Listed names, another script's spelling and an alias of listed ones, a near miss, and an unlisted unit.
UNITS = ["通川區", "通川区", "達縣", "達川區", "大竹縣", "大竹县", "市信息產業局", "巴中市"]
DATES = ["2009-03-31", "2009-04-01", "2009-05-15", "2009-06-30", "2009-07-01", "2009-12-31", "2010-01-01"]


@st.composite
def streams(draw):
    """Events with few ids (so re-sends and conflicting copies happen, within and across chunks), dates around
    the window's edges, units under other spellings, and some invalid events."""
    events = []
    for _ in range(draw(st.integers(0, 30))):
        event = {"id": f"e{draw(st.integers(0, 9))}", "unit": draw(st.sampled_from(UNITS)), "date": draw(st.sampled_from(DATES))}
        kind = draw(st.sampled_from(["adopted", "adopted", "instruction", "provincial_score", "bogus"]))
        event["kind"] = kind
        if kind == "adopted":
            event["outlet"] = draw(st.sampled_from(["daily_provincial", "city_express", "picture_news", "province", "nowhere"]))
            if event["outlet"] == "daily_provincial":
                event["category"] = draw(st.sampled_from(["dynamic", "thematic"]))
        elif kind == "instruction":
            event["level"] = draw(st.sampled_from(["city", "province"]))
        elif kind == "provincial_score":
            event["value"] = draw(st.sampled_from(["1.5", "12", "-1"]))
        if draw(st.integers(0, 5)) == 0:
            event["quantity"] = draw(st.integers(1, 3))
        events.append(event)
    return events


def cuts_of(draw_cuts, size):
    return sorted({min(c, size) for c in draw_cuts})


def chunks(events, cuts):
    bounds = [0, *cuts, len(events)]
    return [(events[a:b], a) for a, b in itertools.pairwise(bounds)]


def card_json(program, tally, as_of):
    card = program.finish(tally, as_of)
    data = card.to_json()
    data["excluded_reasons"] = [e.reason_text for e in card.excluded]
    data["problems"] = [p.render() for p in card.problems]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


AS_OF = st.sampled_from([None, datetime.date(2009, 5, 31), datetime.date(2009, 12, 31)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(streams(), st.lists(st.integers(0, 30), max_size=4), AS_OF, st.booleans())
def test_merged_chunks_score_as_the_whole_stream(info, events, cuts, as_of, backwards):
    whole = card_json(info, info.tally(events), as_of)
    parts = [info.tally(chunk, start=start) for chunk, start in chunks(events, cuts_of(cuts, len(events)))]
    if backwards:  # merging is not a left fold only: later parts first, and pairs of neighbours
        merged = parts[-1]
        for part in reversed(parts[:-1]):
            merged = part.merge(merged)
    else:
        merged = parts[0]
        for part in parts[1:]:
            merged = merged.merge(part)
    assert card_json(info, merged, as_of) == whole


def test_a_resend_across_chunks_outside_the_window_is_only_a_resend(info):
    first = {"id": "x", "unit": "通川區", "date": "2009-03-31", "kind": "adopted", "outlet": "picture_news"}
    events = [first, {"id": "y", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"}, dict(first)]
    merged = info.tally(events[:2]).merge(info.tally(events[2:], start=2))
    card = info.finish(merged)
    assert [(e.place, e.reason_text) for e in card.excluded] == [
        ("<events>[0]", "before the window"),
        ("<events>[2]", "re-sent (first at <events>[0])"),
    ]
    assert card.events_scored == 1 == info.score(events).events_scored


def test_a_resend_within_a_later_chunk_cites_the_true_first_copy(info):
    event = {"id": "x", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"}
    merged = info.tally([event]).merge(info.tally([dict(event), dict(event)], start=1))
    assert [e.reason_text for e in info.finish(merged).excluded] == ["re-sent (first at <events>[0])"] * 2


def test_fingerprints_are_the_same_in_every_process(info):
    """The re-send digest does not use Python's salted str hash: a tally made in a process with another
    hash seed still recognises the re-send (and a conflicting copy) of an event tallied here."""
    event = {"id": "x", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"}
    other = dict(event, outlet="province")
    with spawned() as pool:
        theirs = pickle.loads(pool.submit(tally_in_worker, INFO, [dict(event), other], 1).result())
    card = info.finish(info.tally([event]).merge(theirs), None)
    assert [e.reason_text for e in card.excluded] == ["re-sent (first at <events>[0])"]
    assert [p.message for p in card.problems] == ["id `x` was already used at <events>[0] with different content"]


# ---- across processes -------------------------------------------------------------------------------

_PROGRAMS: dict = {}


def tally_in_worker(rubric: str, events: list, start: int) -> bytes:
    program = _PROGRAMS.get(rubric) or _PROGRAMS.setdefault(rubric, rubric_dsl.load(rubric))
    return pickle.dumps(program.tally(events, start=start))


def merge_in_worker(pickled: list) -> bytes:
    tallies = [pickle.loads(p) for p in pickled]
    merged = tallies[0]
    for tally in tallies[1:]:
        merged = merged.merge(tally)
    return pickle.dumps(merged)


def spawned():
    """Fresh interpreters (spawn): each has its own str hash seed, as Dask workers and other machines do."""
    return concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))


@pytest.fixture(scope="module")
def pool():
    with spawned() as executor:
        yield executor


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(streams(), st.lists(st.integers(0, 30), min_size=1, max_size=3), AS_OF, st.data())
def test_chunks_tallied_and_merged_in_other_processes_score_as_the_whole(info, pool, events, cuts, as_of, data):
    whole = card_json(info, info.tally(events), as_of)
    pieces = chunks(events, cuts_of(cuts, len(events)))
    # each chunk tallied here or in a worker, at random; the merge done in a worker
    here = [data.draw(st.booleans()) for _ in pieces]
    pickled = [
        pickle.dumps(info.tally(chunk, start=start)) if local else pool.submit(tally_in_worker, INFO, chunk, start).result()
        for (chunk, start), local in zip(pieces, here)
    ]
    merged = pickle.loads(pool.submit(merge_in_worker, pickled).result())
    assert card_json(info, merged, as_of) == whole


def test_fingerprints_do_not_depend_on_the_value_cache(info, monkeypatch):
    """Each field's value codes are remembered per run; a full cache is emptied. Either way a re-send is a
    re-send and a changed copy a conflict (a digest of the canonical content, never of the cache's state)."""
    from rubric_dsl.engine import runtime

    events = [
        {"id": f"e{n}", "unit": "通川區", "date": f"2009-05-{n % 28 + 1:02d}", "kind": "provincial_score", "value": f"{n}.50"}
        for n in range(40)
    ]
    stream = events + [dict(events[3]), dict(events[5], value="5.5"), dict(events[7], value="7.51")]
    roomy = card_json(info, info.tally(stream), None)
    monkeypatch.setattr(runtime, "CODE_CACHE_LIMIT", 2)
    assert card_json(info, info.tally(stream), None) == roomy
    card = info.finish(info.tally(stream))
    assert [e.reason_text for e in card.excluded if e.reason.value == "re-sent"] == [
        "re-sent (first at <events>[3])",
        "re-sent (first at <events>[5])",  # 5.5 is 5.50 normalised: the same content
    ]
    assert [p.message for p in card.problems] == ["id `e7` was already used at <events>[7] with different content"]
