"""score --format json: orjson writes the same bytes as the stdlib encoder, unit by unit; --provenance
chooses how much of the provenance goes in (items by default: a size that does not grow with the events)."""

from __future__ import annotations

import json
import pathlib

from hypothesis import given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.cli import main
from rubric_dsl.outputs.scorecards import _JSON_UNSAFE, json_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
INFO = str(ROOT / "rubrics" / "2009_info.rubric")
EVENTS = ROOT / "examples" / "2009_info.events.jsonl"


def stdlib_text(data) -> str:
    """What `score --format json` printed before orjson: json.dumps(indent=2), C1 and bidi controls escaped."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, ensure_ascii=False, indent=2))


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_provenance_events_is_byte_for_byte_the_stdlib_output(capsys, info):
    card = info.score(rubric_dsl.read_events(EVENTS))
    status, out, _ = run(capsys, "score", INFO, str(EVENTS), "--format", "json", "--provenance", "events")
    assert status == 0 and out == stdlib_text(card.to_json()) + "\n"
    one = card.unit("通川區")
    status, out, _ = run(capsys, "score", INFO, str(EVENTS), "--format", "json", "--provenance", "events", "--unit", "通川區")
    expected = card.to_json()
    expected["units"] = [one.to_json(card.places, card.rounding)]
    assert out == stdlib_text(expected) + "\n"


def test_an_empty_stream_writes_an_empty_unit_list_as_before(capsys, tmp_path, informatization):
    empty = tmp_path / "none.jsonl"
    empty.write_text("", encoding="utf-8")
    card = rubric_dsl.load(INFO).score([])
    _, out, _ = run(capsys, "score", INFO, str(empty), "--format", "json", "--provenance", "events")
    assert out == stdlib_text(card.to_json()) + "\n"


TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(JSON_DATA)
def test_orjson_text_is_the_stdlib_text(data):
    assert json_text(data) == stdlib_text(data)


def test_a_lone_surrogate_falls_back_to_the_stdlib_encoder():
    assert json_text({"name": "\ud800"}) == stdlib_text({"name": "\ud800"})


def grown(tmp_path, copies: int) -> str:
    """The example stream `copies` times over, each copy with its own ids (so every copy is scored)."""
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / f"x{copies}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for line in lines:
                event = json.loads(line)
                event["id"] = f"{event['id']}-{copy}"
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
    return str(path)


def test_items_provenance_does_not_grow_with_the_events(capsys, tmp_path):
    small, large = grown(tmp_path, 1), grown(tmp_path, 4)
    sizes = {}
    for provenance in ("items", "events", "none"):
        for name, path in (("small", small), ("large", large)):
            status, out, _ = run(capsys, "score", INFO, path, "--format", "json", "--provenance", provenance)
            assert status == 0
            sizes[provenance, name] = len(out)
    assert sizes["events", "large"] > 2 * sizes["events", "small"]
    assert sizes["items", "large"] < 1.02 * sizes["items", "small"]  # only the numbers' digits change
    assert sizes["none", "large"] < 1.02 * sizes["none", "small"] < sizes["items", "small"]


def test_items_provenance_gives_each_rules_points_and_counts_exclusions(capsys):
    _, out, _ = run(capsys, "score", INFO, str(EVENTS), "--format", "json")  # items is the default
    data = json.loads(out)
    assert "excluded" not in data and data["excluded_counts"]
    item = next(i for i in next(u for u in data["units"] if u["unit"] == "通川區")["items"] if i["id"] == "A.4.2")
    assert "events" not in item
    assert [(r["verb"], r["rule"]) for r in item["rules"]] == [
        ("award", "award for each adopted where outlet = city_express by column: general 2, problems 3, briefs 1"),
        ("bonus", "bonus 4 for each instruction where level = city"),
    ]
    assert sum(float(r["points"]) for r in item["rules"]) == float(item["score"])
    _, out, _ = run(capsys, "score", INFO, str(EVENTS), "--format", "json", "--provenance", "none")
    item = json.loads(out)["units"][0]["items"][0]
    assert "events" not in item and "rules" not in item
