"""Writes each corpus folder's `<folder>.test.yaml` from the `cases.json` copied beside its rubric, keeping
every case's events, units, as-of date and expected totals, items, grades, statuses and ranks.

    python examples/corpus/make_corpus_tests.py

The test files are committed and self-contained; this script only saves retyping. Where a case carries a
unit column the rubric models another way, CONVERSIONS names it and the test file's header says why.
"""

from __future__ import annotations

import json
import pathlib

import yaml

HERE = pathlib.Path(__file__).resolve().parent

# folder → (rubric file, unit columns left out of the rows, why; the clause each case checks)
CONVERSIONS = {
    "06_zhaoqing_web_2019": (
        "zhaoqing_web_2019.rubric",
        {"indicator_max"},
        "`indicator_max` (hypothetical, the same map in every case) is written into the rubric as the cap of each "
        "indicator's deduction rule (C5), so the rows leave it out.",
    ),
    "07_nyc_restaurant_grading": ("nyc_restaurant_grading.rubric", set(), ""),
    "10_f1_points": ("f1_points.rubric", set(), ""),
}
CLAUSES = {
    "mid_range_no_bonus": ["C2", "C4"],
    "exactly_80_vs_80_5": ["C4"],
    "indicator_cap_and_bonus_cap": ["C2", "C5"],
    "veto_website": ["C3"],
    "initial_A_and_zero": ["C1", "C2", "C7"],
    "initial_14_ungraded": ["C2", "C8"],
    "reinspection_B_at_27": ["C1", "C6", "C9"],
    "reinspection_C_at_28_exact_week": ["C1", "C8", "C9"],
    "single_race_fastest_lap_outside_top10": ["C1", "C3"],
    "fastest_lap_in_top10_and_dnf": ["C1", "C3"],
    "countback_ties_and_constructors": ["C2", "C4"],
    "countback_deep_to_4th_place": ["C2"],
}


def convert(folder: str) -> str:
    rubric, dropped, why = CONVERSIONS[folder]
    cases = json.loads((HERE / folder / "cases.json").read_text(encoding="utf-8"))
    out = []
    for case in cases:
        converted = {"name": case["name"], "clause": CLAUSES[case["name"]]}
        for key in ("as_of", "period"):
            if key in case:
                converted[key] = case[key]
        if "units" in case:
            converted["units"] = [{k: v for k, v in row.items() if k not in dropped} for row in case["units"]]
        converted["events"] = case["events"]
        converted["expect"] = case["expected"]
        converted["reasoning"] = case["reasoning"]
        out.append(converted)
    header = [
        f"# Every case of corpus document {folder} (cases.json), unchanged: events, units, as-of date and the",
        "# expected totals (null: no score), items, grades, statuses and ranks. Written by make_corpus_tests.py.",
    ]
    if why:
        header.append("# " + why)
    body = yaml.safe_dump({"rubric": rubric, "cases": out}, allow_unicode=True, sort_keys=False, width=120)
    return "\n".join(header) + "\n" + body


if __name__ == "__main__":
    for folder in CONVERSIONS:
        target = HERE / folder / f"{folder}.test.yaml"
        target.write_text(convert(folder), encoding="utf-8")
        print(f"wrote {target}")
