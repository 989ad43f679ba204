"""How another tool uses rubric_dsl as a library: load a rubric, feed events, read scorecards.

python examples/use_library.py
"""

import json
import pathlib

import rubric_dsl

HERE = pathlib.Path(__file__).resolve().parent

# Compile once (raises rubric_dsl.RubricError carrying every diagnostic if the rubric is broken).
rubric = rubric_dsl.load(HERE.parent / "rubrics" / "2009_info.rubric")

# Events can be any iterable of dicts …
events = [
    {"id": "e1", "unit": "通川區", "date": "2009-05-04", "kind": "adopted", "outlet": "daily_provincial", "category": "thematic"},
    {"id": "e2", "unit": "通川區", "date": "2009-05-06", "kind": "instruction", "level": "city", "item": "e1"},
]
card = rubric.score(events)
print("通川區:", card.total("通川區"))  # 8.00: A.4.1 gives 4 for the thematic item, A.4.2 4 for the city instruction
for item in card.unit("通川區").items:
    if item.score:
        print(f"  {item.item_id} {item.score}", [(c.event_id, str(c.points)) for rule in item.rules for c in rule.contributions])

# … or a file, read lazily (JSON Lines, CSV or YAML).
card = rubric.score(rubric_dsl.read_events(HERE / "2009_info.events.jsonl"))
best = card.units[0]
print(f"best: {best.unit} {best.total} of {best.target}; {len(card.excluded)} events not scored")

# Bad events raise one documented error type, with every problem and its place.
try:
    rubric.score([{"id": "x", "unit": "通川區", "date": "2009-13-01", "kind": "adopted", "outlet": "picture_news"}])
except rubric_dsl.EventError as error:
    print("rejected:", error.problems[0].place, error.problems[0].message)

# Large streams can be scored in chunks (in parallel, even) and merged.
first = rubric.tally(events[:1])
second = rubric.tally(events[1:], start=1)
print("merged:", rubric.finish(first.merge(second)).total("通川區"))

# Scorecards are JSON for other tools.
print(json.dumps(card.to_json()["units"][0], ensure_ascii=False)[:160], "…")
