"""Scoring throughput of the info rubric against a careful hand-written loop, in the same process.

    python bench/bench_score.py [--events 1000000]

The baseline validates as strictly as the engine (kinds, fields, enums, dates, quantities, ids,
re-sends) and computes the same exact totals (Decimal, rounded per item); it only skips provenance.
Ratios, not seconds, are the result: this machine is noisy.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import random
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rubric_dsl  # noqa: E402

OUTLETS = ["daily_provincial", "city_express", "picture_news", "province"]


def synthetic_events(count: int, units: list[str], seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    days = [(datetime.date(2009, 3, 1) + datetime.timedelta(days=d)).isoformat() for d in range(306)]
    events = []
    for number in range(count):
        roll = rng.random()
        event = {"id": f"e{number}", "unit": rng.choice(units), "date": rng.choice(days)}
        if roll < 0.85:
            outlet = OUTLETS[rng.randrange(4)]
            event["kind"] = "adopted"
            event["outlet"] = outlet
            if outlet == "daily_provincial":
                event["category"] = "dynamic" if rng.random() < 0.7 else "thematic"
            elif outlet == "city_express" and rng.random() < 0.4:
                event["column"] = "problems" if rng.random() < 0.5 else "briefs"
        elif roll < 0.97:
            event["kind"] = "instruction"
            event["level"] = "city" if rng.random() < 0.8 else "province"
        else:
            event["kind"] = "provincial_score"
            event["value"] = Decimal(rng.randint(0, 150)) / 10
        if rng.random() < 0.05:
            event["quantity"] = rng.randint(2, 4)
        events.append(event)
    return events


class Invalid(Exception):
    pass


def hand_loop(pairs, units: set, start: datetime.date, end: datetime.date):
    """What a careful programmer would write for this one rubric, with the same strictness."""
    allowed = {
        "adopted": frozenset({"id", "unit", "date", "kind", "quantity", "outlet", "category", "column"}),
        "instruction": frozenset({"id", "unit", "date", "kind", "quantity", "level", "item"}),
        "provincial_score": frozenset({"id", "unit", "date", "kind", "quantity", "value"}),
    }
    outlets = frozenset(OUTLETS)
    categories = {"dynamic": 2, "thematic": 4}
    columns = {"general": 2, "problems": 3, "briefs": 1}
    ids: dict = {}
    dates: dict = {}
    points: dict = {}
    provincial: dict = {}
    problems = []
    for ev, place in pairs:
        try:
            kind = ev.get("kind")
            keys = allowed.get(kind)
            if keys is None:
                raise Invalid("unknown kind")
            if not ev.keys() <= keys:
                raise Invalid("unknown field")
            event_id = ev.get("id")
            if event_id.__class__ is not str or not event_id:
                raise Invalid("id")
            unit = ev.get("unit")
            if unit.__class__ is not str or not unit:
                raise Invalid("unit")
            raw_date = ev.get("date")
            status = dates.get(raw_date)
            if status is None:
                if raw_date.__class__ is not str or len(raw_date) != 10:
                    raise Invalid("date")
                day = datetime.date.fromisoformat(raw_date)
                status = dates[raw_date] = start <= day <= end
            quantity = ev.get("quantity", 1)
            if quantity.__class__ is not int or quantity < 1:
                raise Invalid("quantity")
            if kind == "adopted":
                outlet = ev.get("outlet")
                if outlet not in outlets:
                    raise Invalid("outlet")
                category = ev.get("category")
                if category is None:
                    if outlet == "daily_provincial":
                        raise Invalid("category")
                elif category not in categories:
                    raise Invalid("category")
                column = ev.get("column")
                if column is None:
                    if outlet == "city_express":
                        column = "general"
                elif outlet != "city_express" or column not in columns:
                    raise Invalid("column")
                if outlet == "daily_provincial":
                    item, value = 0, categories[category]
                elif outlet == "city_express":
                    item, value = 1, columns[column]
                elif outlet == "picture_news":
                    item, value = 2, 1
                else:
                    item, value = 3, 4
            elif kind == "instruction":
                level = ev.get("level")
                if level == "city":
                    item, value = 1, 4
                elif level == "province":
                    item, value = 3, 8
                else:
                    raise Invalid("level")
                reference = ev.get("item")
                if reference is not None and reference.__class__ is not str:
                    raise Invalid("item")
            else:
                value = ev.get("value")
                if value.__class__ is not Decimal:
                    value = Decimal(value)
                if value < 0:
                    raise Invalid("value")
                item = 4
            previous = ids.get(event_id)
            if previous is not None:
                if previous[0] != ev:
                    raise Invalid("conflict")
                continue
            ids[event_id] = (ev, place)
            if not status:
                continue
            if item == 4:
                provincial[unit] = provincial.get(unit, 0) + value * quantity
            else:
                key = (unit, item)
                points[key] = points.get(key, 0) + value * quantity
        except (Invalid, ValueError, AttributeError, TypeError) as error:
            problems.append((place, str(error)))
    cent = Decimal("0.01")
    totals = {u: Decimal(0) for u in units}
    for (unit, _), value in points.items():
        totals[unit] = totals.get(unit, Decimal(0)) + Decimal(value).quantize(cent, ROUND_HALF_UP)
    for unit, value in provincial.items():
        totals[unit] = totals.get(unit, Decimal(0)) + (value * Decimal("0.4")).quantize(cent, ROUND_HALF_UP)
    return totals, problems


def enumerate_pairs(events):
    return ((event, index) for index, event in enumerate(events))


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each contender")
    args = parser.parse_args(argv)
    program = rubric_dsl.load(ROOT / "rubrics" / "2009_info.rubric")
    unit_names = [u.name for u in program.rubric.units]
    window = program.rubric.window
    events = synthetic_events(args.events, unit_names + ["市信息產業局"])
    print(f"{args.events:,} synthetic events of the info rubric, best of {args.repeat}")

    def interleaved(contenders):
        """Best time of each contender, the runs taking turns so that every one meets the same heap and
        collector state; only the latest result of each is kept alive."""
        best = [float("inf")] * len(contenders)
        results = [None] * len(contenders)
        for _ in range(args.repeat):
            for index, function in enumerate(contenders):
                results[index] = None
                elapsed, results[index] = timed(function)
                best[index] = min(best[index], elapsed)
        return best, results

    (base_time, engine_time, tally_time), (base_result, card, _) = interleaved([
        lambda: hand_loop(enumerate_pairs(events), set(unit_names), window.start, window.end),
        lambda: program.score(events),
        lambda: program.tally(events),
    ])
    base_totals = base_result[0]
    engine_totals = {u.unit: u.total for u in card.units}
    assert all(engine_totals[u] == base_totals.get(u, 0) for u in engine_totals), "totals differ from the baseline"
    print(f"  hand-written loop (memory)   {args.events / base_time:>12,.0f} events/s   1.00x")
    print(f"  engine tally only (memory)   {args.events / tally_time:>12,.0f} events/s   {tally_time / base_time:.2f}x the loop's time")
    print(f"  engine score (memory)        {args.events / engine_time:>12,.0f} events/s   {engine_time / base_time:.2f}x the loop's time")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "events.jsonl")
        with open(path, "w", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps({k: (str(v) if isinstance(v, Decimal) else v) for k, v in event.items()}, ensure_ascii=False) + "\n")

        def hand_file():
            loads = json.JSONDecoder(parse_float=Decimal).decode
            with open(path, encoding="utf-8") as stream:
                return hand_loop(((loads(line), n) for n, line in enumerate(stream, 1)), set(unit_names), window.start, window.end)

        (file_base, file_engine), _ = interleaved([hand_file, lambda: program.score(rubric_dsl.read_events(path))])
        print(f"  hand-written loop (JSONL)    {args.events / file_base:>12,.0f} events/s   1.00x")
        print(
            f"  engine score (JSONL)         {args.events / file_engine:>12,.0f} events/s   {file_engine / file_base:.2f}x the loop's time"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
