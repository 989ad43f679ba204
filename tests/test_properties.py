"""Hypothesis properties: parsing never crashes, formatting keeps meaning, scores ignore order, re-sends and chunking."""

import datetime
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.language.builder import parse
from rubric_dsl.language.formatter import format_text

from .conftest import RUBRICS

SHIPPED = [(RUBRICS / name).read_text(encoding="utf-8") for name in ("2009_info.rubric", "2009_informatization.rubric")]
WORDS = [
    "rubric",
    "window",
    "item",
    "section",
    "award",
    "bonus",
    "deduct",
    "for",
    "each",
    "when",
    "where",
    "and",
    "or",
    "not",
    "by",
    "at",
    "most",
    "of",
    "field",
    "event",
    "one",
    "unit",
    "group",
    '"文"',
    "2009-01-01",
    "10",
    "40%",
    ":",
    ",",
    "|",
    "=",
    ">=",
    "(",
    ")",
    "\n",
    "#c",
    "A.1",
    "x",
    "distinct",
    "latest",
    "count",
    "reached",
    "no",
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_ast_or_rubric_error(text):
    try:
        parse(text)
    except rubric_dsl.RubricError as error:
        assert error.diagnostics


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30))
def test_token_soup_gives_ast_or_rubric_error(words):
    try:
        rubric_dsl.check_text(" ".join(words))
    except Exception as error:  # pragma: no cover - the property is that this never happens
        raise AssertionError(f"unexpected {type(error).__name__}: {error}") from error


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_shipped_rubrics_give_ast_or_rubric_error(data):
    text = data.draw(st.sampled_from(SHIPPED))
    lines = text.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    action = data.draw(st.sampled_from(["drop", "dup", "cut", "insert"]))
    line = lines[index]
    if action == "drop":
        del lines[index]
    elif action == "dup":
        lines.insert(index, line)
    elif action == "cut":
        lines[index] = line[: data.draw(st.integers(0, len(line)))]
    else:
        position = data.draw(st.integers(0, len(line)))
        lines[index] = line[:position] + data.draw(st.sampled_from(WORDS + ['"', "\\", "%", "-", "é"])) + line[position:]
    mutated = "\n".join(lines)
    _, _diagnostics = rubric_dsl.check_text(mutated)
    try:
        rubric_dsl.loads(mutated)
    except rubric_dsl.RubricError as error:
        assert error.diagnostics


def test_formatting_shipped_rubrics_keeps_meaning():
    for text in SHIPPED:
        formatted = format_text(text)
        assert parse(formatted) == parse(text)
        assert format_text(formatted) == formatted


@st.composite
def generated_rubrics(draw):
    """Small valid rubrics in messy layout: random indentation, spacing, comments and blank lines."""

    def pad():
        return draw(st.sampled_from(["", " ", "  ", "\t", "      "]))

    def comment():
        return draw(st.sampled_from(["", "  # note", " #另加"]))

    lines = [
        f'{pad()}rubric   "{draw(st.text("考核abc ", min_size=1, max_size=8))}"{comment()}',
        f"{pad()}window 2009-01-01   to 2009-12-31",
    ]
    if draw(st.booleans()):
        lines.append("")
    lines += [
        f"{pad()}event  e",
        f"{pad()}field  f :one of a|b{draw(st.sampled_from(['', ', optional', ', default a']))}",
        f"{pad()}field v: decimal,from 0 to 1, optional",
    ]
    for section in range(draw(st.integers(1, 3))):
        lines.append(f'{pad()}section S{section} "s"{comment()}')
        for item in range(draw(st.integers(1, 3))):
            lines.append(f'{pad()}item S{section}.{item} "i"')
            rule = draw(
                st.sampled_from(
                    [
                        "award 2 for each e where f = a",
                        "deduct 1 for each e,at most 5",
                        "bonus 1 when reached e where f=b",
                        "award for each e by f: a 1, b 2.5",
                        "award 40% of sum v of e",
                        "award 3 when every month count e >= 2",
                        "deduct 1 for each month without e",
                        "award 1 for each distinct f of e whose latest v < 50%",
                        "award 0.5 * count e - (sum v of e - 1)",
                        "deduct 1 when count e where f = a / count e otherwise 0 < 30%",
                        "award by average v of e: 3 when >= 90%, 1 when > 50%, otherwise 0",
                        "bonus 1 for each full 20% of count e / 10 beyond 30%",
                        "deduct 1 for each e short of 3 * months",
                    ]
                )
            )
            lines.append(f"{pad()}{rule}{comment()}")
            if draw(st.booleans()):
                lines.append(f"{pad()}floor 0")
            if draw(st.booleans()):
                lines.append(f"{pad()}# a comment line")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=150, deadline=None)
@given(generated_rubrics())
def test_format_is_idempotent_and_keeps_meaning(text):
    formatted = format_text(text)
    assert parse(formatted) == parse(text)
    assert format_text(formatted) == formatted
    assert sum("#" in line for line in formatted.splitlines()) == sum("#" in line for line in text.splitlines())


# ---- scoring properties -----------------------------------------------------------------------------

UNITS = ["通川區", "達縣", "市民政局", "市信息產業局"]


@st.composite
def info_streams(draw):
    events = []
    for number in range(draw(st.integers(0, 40))):
        kind = draw(st.sampled_from(["adopted", "instruction", "provincial_score"]))
        event = {
            "id": f"e{number}",
            "unit": draw(st.sampled_from(UNITS)),
            "date": (datetime.date(2009, 3, 20) + datetime.timedelta(days=draw(st.integers(0, 300)))).isoformat(),
            "kind": kind,
        }
        if kind == "adopted":
            event["outlet"] = draw(st.sampled_from(["daily_provincial", "city_express", "picture_news", "province"]))
            if event["outlet"] == "daily_provincial":
                event["category"] = draw(st.sampled_from(["dynamic", "thematic"]))
            if event["outlet"] == "city_express" and draw(st.booleans()):
                event["column"] = draw(st.sampled_from(["general", "problems", "briefs"]))
        elif kind == "instruction":
            event["level"] = draw(st.sampled_from(["city", "province"]))
        else:
            event["value"] = str(draw(st.decimals(min_value=0, max_value=50, places=1)))
        if draw(st.integers(0, 4)) == 0:
            event["quantity"] = draw(st.integers(1, 5))
        events.append(event)
    return events


def totals(card):
    return {u.unit: (u.total, tuple(i.score for i in u.items)) for u in card.units}


@settings(max_examples=60, deadline=None)
@given(info_streams(), st.randoms())
def test_event_order_never_changes_a_score(info, events, rng):
    shuffled = list(events)
    rng.shuffle(shuffled)
    assert totals(info.score(events)) == totals(info.score(shuffled))


@settings(max_examples=60, deadline=None)
@given(info_streams(), st.randoms())
def test_resends_change_nothing(info, events, rng):
    resent = events + [dict(e) for e in events if rng.random() < 0.5]
    assert totals(info.score(resent)) == totals(info.score(events))


@settings(max_examples=60, deadline=None)
@given(info_streams(), st.integers(0, 40))
def test_chunked_tallies_merge_to_the_whole(info, events, cut):
    cut = min(cut, len(events))
    whole = info.finish(info.tally(events))
    first = info.tally(events[:cut])
    second = info.tally(events[cut:], start=cut)
    assert totals(info.finish(first.merge(second))) == totals(whole)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_caps_and_floors_are_never_crossed(informatization, data):
    kinds = [
        "dead_link",
        "unreported_dead_link",
        "dept_exchange",
        "inaccurate_filing",
        "interactive_column",
        "online_interview",
        "portal_adoption",
        "provincial_task_unfinished",
        "milestone",
    ]
    events = []
    for number in range(data.draw(st.integers(0, 30))):
        kind = data.draw(st.sampled_from(kinds))
        event = {
            "id": f"e{number}",
            "unit": "達州市",
            "kind": kind,
            "date": (datetime.date(2009, 1, 1) + datetime.timedelta(days=data.draw(st.integers(0, 364)))).isoformat(),
            "quantity": data.draw(st.integers(1, 9)),
        }
        if kind == "dept_exchange":
            event["dept"] = data.draw(st.sampled_from(["甲", "乙", "丙", "丁", "戊", "己", "庚"]))
        elif kind == "interactive_column":
            event["name"] = data.draw(st.sampled_from(["a", "b", "c", "d"]))
            event["reply_rate"] = str(data.draw(st.decimals(min_value=0, max_value=1, places=2)))
        elif kind == "online_interview":
            event["role"] = data.draw(st.sampled_from(["principal", "deputy"]))
        elif kind == "portal_adoption":
            event["type"] = data.draw(st.sampled_from(["survey", "topic", "commissioned", "submitted", "crawled"]))
        elif kind == "milestone":
            event["task"] = data.draw(st.sampled_from(["site_quality", "supervision_sharing", "online_application"]))
        events.append(event)
    unit = informatization.score(events).unit("達州市")
    assert 0 <= unit.item("B.2.1.3").score <= 5 and unit.item("B.2.1.3").deduction <= 5  # floor 0, deduction at most 5
    assert unit.item("B.1.2").bonus <= 5  # bonus at most 5
    assert unit.item("B.2.1.2").score >= 0 and 0 <= unit.item("B.4.1").score <= 10  # floors
    assert 0 <= unit.item("B.2.2").score <= 30  # scale with extra at most 20
    assert unit.item("B.2.2").bonus <= 20


def test_chunk_merge_reports_a_resend_across_chunks(info):
    event = {"id": "x", "unit": "通川區", "date": "2009-05-04", "kind": "adopted", "outlet": "picture_news"}
    merged = info.tally([event]).merge(info.tally([dict(event)], start=1))
    card = info.finish(merged)
    assert card.total("通川區") == 1
    # counted by category (one key however many re-sends); where it was first seen is the detail
    assert card.excluded_counts() == {"re-sent": 1}
    assert card.excluded[0].place == "<events>[1]"
    assert card.excluded[0].reason_text == "re-sent (first at <events>[0])"


def test_random_seeded_shuffle_of_example_stream(info):
    events = [e for e, _ in rubric_dsl.read_events(str(RUBRICS.parent / "examples" / "2009_info.events.jsonl"))]
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    assert totals(info.score(events)) == totals(info.score(shuffled))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.sampled_from(["2009-05-01", "dynamic", "city", "1.5"]),
    lambda children: st.lists(children, max_size=2) | st.dictionaries(st.text(max_size=3), children, max_size=2),
    max_leaves=4,
)
FIELDS = ["id", "unit", "date", "kind", "quantity", "outlet", "category", "column", "level", "item", "value", "extra"]


VALID = [
    {"id": "a", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "daily_provincial", "category": "dynamic"},
    {"id": "b", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "city_express", "column": "briefs"},
    {"id": "c", "unit": "達縣", "date": "2009-06-01", "kind": "instruction", "level": "city", "item": "a"},
    {"id": "d", "unit": "達縣", "date": "2009-06-01", "kind": "provincial_score", "value": "3.5"},
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(VALID), st.sampled_from(FIELDS), JSON_VALUES), max_size=4))
def test_any_event_values_give_a_scorecard_or_event_error(info, changes):
    events = [{**event, field: value} for event, field, value in changes]
    try:
        info.score(events)
    except rubric_dsl.EventError as error:
        assert all(problem.message for problem in error.problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["jsonl", "csv", "yaml", "json"]))
def test_any_file_bytes_give_a_scorecard_or_event_error(info, tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"events.{suffix}"
    path.write_bytes(data)
    try:
        info.score(rubric_dsl.read_events(path))
    except rubric_dsl.EventError as error:
        assert all(str(problem.place).startswith(str(path)) for problem in error.problems)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        [
            "- !!python/object:os.system {}\n",
            "- !foo {id: 1}\n",
            "- [1, 2]\n",
            "a: b\n",
            "- {id: a, date: 2009-05-01}\n",
            "--- \n- &x {id: a}\n- *x\n",
            "- {id: [a]}\n",
        ]
    )
)
def test_hostile_yaml_gives_event_error(info, tmp_path_factory, text):
    path = tmp_path_factory.mktemp("yaml") / "events.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        info.score(rubric_dsl.read_events(path))
    except rubric_dsl.EventError as error:
        assert error.problems


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_event_order_never_changes_informatization_scores(informatization, data):
    # distinct dates: on the same date, "latest" is defined by stream order (clauses B.2.1.2, B.3.2)
    kinds = {
        "milestone": lambda: {"task": data.draw(st.sampled_from(["site_quality", "paperless_migration", "anti_tamper", "ceb_format"]))},
        "dept_exchange": lambda: {"dept": data.draw(st.sampled_from(["甲", "乙", "丙"]))},
        "interactive_column": lambda: {
            "name": data.draw(st.sampled_from(["a", "b", "c"])),
            "reply_rate": str(data.draw(st.decimals(min_value=0, max_value=1, places=2))),
        },
        "access_rate": lambda: {
            "scope": data.draw(st.sampled_from(["city", "county"])),
            "value": str(data.draw(st.decimals(min_value=0, max_value=1, places=2))),
        },
        "portal_submission": dict,
        "extranet_update": dict,
        "dead_link": dict,
        "tamper_incident": dict,
    }
    events = []
    for number in range(data.draw(st.integers(0, 30))):
        kind = data.draw(st.sampled_from(sorted(kinds)))
        day = datetime.date(2009, 1, 1) + datetime.timedelta(days=number * 12)
        events.append(
            {
                "id": f"e{number}",
                "unit": "達州市",
                "kind": kind,
                "date": day.isoformat(),
                "quantity": data.draw(st.integers(1, 150)),
                **kinds[kind](),
            }
        )
    shuffled = data.draw(st.permutations(events))
    assert totals(informatization.score(events)) == totals(informatization.score(shuffled))
