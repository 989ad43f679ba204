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
        set(),
        "",
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


# Cases worked by hand here (not in cases.json), for clauses the document's own cases leave untested.
EXTRA_CASES = {
    "06_zhaoqing_web_2019": [
        {
            "name": "county_account_veto_gives_county_59",
            "clause": ["C1", "C7", "C9"],
            "as_of": "2019-12-31",
            "units": [
                {"id": "县A", "kind": "county", "external_service": True},
                {"id": "县A-微信", "kind": "county_account", "parent": "县A", "external_service": True},
                {"id": "县A-微博", "kind": "county_account", "parent": "县A", "external_service": True},
                {"id": "D1", "kind": "dept_new_media", "external_service": False},
            ],
            "events": [
                {"id": "e1", "unit": "县A-微信", "date": "2019-10-01", "kind": "veto_finding", "condition": "账号被封"},
                {"id": "e2", "unit": "县A-微博", "date": "2019-10-02", "kind": "deduction", "indicator": "指标乙", "points": "5"},
                {"id": "e3", "unit": "县A-微博", "date": "2019-10-03", "kind": "bonus", "indicator": "加分项", "points": "3"},
                {"id": "e4", "unit": "D1", "date": "2019-10-04", "kind": "veto_finding", "condition": "内容严重错误"},
                {"id": "e5", "unit": "D1", "date": "2019-10-05", "kind": "bonus", "indicator": "加分项", "points": "3"},
            ],
            "expect": {
                "县A": {"total": "59", "grade": "不合格"},
                "县A-微信": {"total": None, "grade": "不合格"},
                "县A-微博": {"total": "98", "items": {"part2": "95", "part3": "3"}, "grade": None},
                "D1": {"total": None, "items": {}, "grade": "不合格"},
            },
            "reasoning": "C9: one of 县A's accounts (微信) shows a veto condition, so the county's new-media result is 不合格"
            " with 59, whatever its other account scored. The vetoed account itself gets no score (read like C7). 微博 is"
            " scored on its own: part 2 = 100 - 5 = 95 > 80, so its bonus counts: 95 + 3 = 98; C9 names no under-60"
            " grade and 95 is not under 60 anyway, so no grade. D1, a department account with a veto (C7), is 不合格"
            " with no score; its bonus is ignored.",
        },
        {
            "name": "department_account_under_60",
            "clause": ["C8"],
            "as_of": "2019-12-31",
            "units": [{"id": "D2", "kind": "dept_new_media", "external_service": True}],
            "events": [
                {"id": "e1", "unit": "D2", "date": "2019-10-01", "kind": "deduction", "indicator": "指标丙", "points": "30"},
                {"id": "e2", "unit": "D2", "date": "2019-10-02", "kind": "deduction", "indicator": "指标丁", "points": "10.5"},
            ],
            "expect": {"D2": {"total": "59.5", "items": {"part2": "59.5", "part3": "0"}, "grade": "不合格"}},
            "reasoning": "C8 (as C4): part 2 = 100 - 30 - 10.5 = 59.5, under 60, so 不合格; no bonus stage (not above 80).",
        },
    ],
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
    out += EXTRA_CASES.get(folder, [])
    header = [
        f"# Every case of corpus document {folder} (cases.json), unchanged: events, units, as-of date and the",
        "# expected totals (null: no score), items, grades, statuses and ranks. Written by make_corpus_tests.py.",
    ]
    if folder in EXTRA_CASES:
        header.append("# The last cases are worked by hand here (EXTRA_CASES), for clauses the document's cases leave untested.")
    if why:
        header.append("# " + why)
    body = yaml.safe_dump({"rubric": rubric, "cases": out}, allow_unicode=True, sort_keys=False, width=120)
    return "\n".join(header) + "\n" + body


if __name__ == "__main__":
    for folder in CONVERSIONS:
        target = HERE / folder / f"{folder}.test.yaml"
        target.write_text(convert(folder), encoding="utf-8")
        print(f"wrote {target}")
