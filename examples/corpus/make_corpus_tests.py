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
    "03_zhonglou_info": ("zhonglou_info.rubric", set(), ""),
    "05_township_disclosure_2010": ("township_disclosure_2010.rubric", set(), ""),
    "07_nyc_restaurant_grading": ("nyc_restaurant_grading.rubric", set(), ""),
    "10_f1_points": ("f1_points.rubric", set(), ""),
}
CLAUSES = {
    "rate_exactly_30pct_vs_just_below": ["C2", "C5", "C6", "C8"],
    "short_of_target_and_zero_rate": ["C2", "C5", "C8"],
    "floor_hit_then_bonus": ["C1", "C2", "C3", "C4", "C5", "C8"],
    "provincial_with_instruction": ["C2", "C5", "C6", "C7", "C8"],
    "exact_quota": ["C6", "C7", "C2"],
    "below_and_blank_month": ["C6", "C7", "C8"],
    "floor_then_commendation": ["C3", "C7", "C8"],
    "bonus_10pct_boundary": ["C2"],
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
    "05_township_disclosure_2010": [
        {
            "name": "extra_quality_and_criticism",
            "clause": ["C1", "C4", "C5", "C9", "C10"],
            "as_of": "2010-03-31",
            "events": [
                {"id": "q1", "unit": "甲镇", "date": "2010-01-15", "kind": "published", "quantity": 40},
                {"id": "q2", "unit": "甲镇", "date": "2010-02-15", "kind": "published", "quantity": 40},
                {"id": "q3", "unit": "甲镇", "date": "2010-03-15", "kind": "published", "quantity": 40},
                {"id": "q4", "unit": "甲镇", "date": "2010-02-01", "kind": "criticized", "issuer_level": "市政府以上"},
                {"id": "q5", "unit": "甲镇", "date": "2010-03-01", "kind": "criticized", "issuer_level": "市政府办公室/市政务公开领导小组"},
                {"id": "q6", "unit": "甲镇", "date": "2010-03-20", "kind": "quality_finding", "item": "guide", "points": "5"},
                {"id": "q7", "unit": "甲镇", "date": "2010-03-20", "kind": "quality_finding", "item": "content", "points": "18"},
                {"id": "q8", "unit": "甲镇", "date": "2010-03-21", "kind": "quality_finding", "item": "content", "points": "4"},
                {"id": "q9", "unit": "甲镇", "date": "2010-03-25", "kind": "onsite_score", "points": "90"},
            ],
            "expect": {
                "甲镇": {
                    "total": "61",
                    "items": {
                        "C6_C8_quantity": "40",
                        "C9_C10_quality": "25",
                        "C2_bonus": "0",
                        "C3": "0",
                        "C4": "-4",
                        "C5_weighted": "66.8",
                    },
                }
            },
            "reasoning": "40 in each month: quantity 40 (C6-C8). Excess 0: no bonus (C2). C4: -3 (city government or higher)"
            " -1 (general office or leading group) = -4. C9: the guide judged 5 (at most 5). C10: content judged 18 + 4 = 22,"
            " at most 20. C1: the total is the sum of the item scores, 40 + 25 + 0 + 0 - 4 = 61. C5: the weighted score, shown"
            " beside the total and not added to it, is 80% of 61 + 20% of the on-site 90 = 48.8 + 18 = 66.8.",
        },
        {
            "name": "extra_bonus_50pct_two_steps",
            "clause": ["C2", "C3"],
            "as_of": "2010-03-31",
            "events": [
                {"id": "b1", "unit": "乙乡", "date": "2010-01-10", "kind": "published", "quantity": 60},
                {"id": "b2", "unit": "乙乡", "date": "2010-02-10", "kind": "published", "quantity": 60},
                {"id": "b3", "unit": "乙乡", "date": "2010-03-10", "kind": "published", "quantity": 60},
                {"id": "b4", "unit": "乙乡", "date": "2010-03-12", "kind": "commended", "issuer_level": "市政府办公室/市政务公开领导小组"},
            ],
            "expect": {"乙乡": {"total": "43", "items": {"C6_C8_quantity": "40", "C2_bonus": "2", "C3": "1", "C4": "0"}}},
            "reasoning": "Published 180 against 120 required: excess 60/120 = 50%. C2: +1 for more than 10%, and 50% is one"
            " full 20% step beyond 30%: +1 more, 2 in all (readings (a) and (b) agree: 1 + floor(20/20) = floor(50/20) = 2)."
            " C3: one commendation from the general office or the leading group, +1. Total 40 + 2 + 1 = 43.",
        },
    ],
    "03_zhonglou_info": [
        {
            "name": "extra_second_quarter_and_instructions",
            "clause": ["C1", "C3", "C4", "C6", "C7", "C8"],
            "as_of": "2022-06-30",
            "period": "2022-Q2",
            "units": [{"id": "审批五科", "quarterly_target": 3, "note": "target hypothetical"}],
            "events": [
                {"id": "x0", "unit": "审批五科", "date": "2022-03-20", "kind": "criticized"},
                {"id": "x1", "unit": "审批五科", "date": "2022-04-06", "kind": "submitted", "article_id": "f1", "late": True},
                {"id": "x2", "unit": "审批五科", "date": "2022-04-07", "kind": "submitted", "article_id": "f2", "late": True},
                {"id": "x3", "unit": "审批五科", "date": "2022-05-08", "kind": "submitted", "article_id": "f3", "late": False},
                {
                    "id": "x4",
                    "unit": "审批五科",
                    "date": "2022-05-20",
                    "kind": "adopted",
                    "article_id": "f1",
                    "level": "区级",
                    "category": "理论调研类",
                },
                {
                    "id": "x5",
                    "unit": "审批五科",
                    "date": "2022-05-21",
                    "kind": "adopted",
                    "article_id": "f2",
                    "level": "省级及以上",
                    "category": "政务及新闻类",
                },
                {"id": "x6", "unit": "审批五科", "date": "2022-06-01", "kind": "instructed", "article_id": "f2", "level": "市级"},
                {"id": "x7", "unit": "审批五科", "date": "2022-06-02", "kind": "instructed", "article_id": "f1", "level": "区级"},
                {"id": "x8", "unit": "审批五科", "date": "2022-06-03", "kind": "commission_completed", "article_id": "f3"},
                {"id": "x9", "unit": "审批五科", "date": "2022-06-10", "kind": "criticized"},
            ],
            "expect": {
                "审批五科": {
                    "total": "84",
                    "items": {
                        "C1": "-2",
                        "C2": "0",
                        "C3": "2",
                        "C4": "-2",
                        "C5": "0",
                        "C8_base_after_deductions": "2",
                        "C6": "50",
                        "C7": "30",
                    },
                    "grade": "达标",
                }
            },
            "reasoning": "Scored for 2022-Q2 only: the March notice (x0) belongs to Q1 and is not counted. C1: two late"
            " submissions, -1 each (reading 4, per late item) = -2. C2: 3 submitted, quota 3, 0. C4: one notice in Q2, -2."
            " C5: 2 adopted of 3 submitted = 66.7%, not under 30%: 0. Base = max(0, 6 - 2 - 0 - 2 - 0) = 2."
            " C6: 区级理论调研类 20 + 省级及以上政务及新闻类 30 = 50. C7: 市级 +20, 区级 +10 = 30. C3: +2."
            " Total = 2 + 2 + 50 + 30 = 84, not below 6: 达标.",
        },
    ],
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
            "name": "county_without_a_vetoed_account_has_no_number",
            "clause": ["C9", "C9b"],
            "as_of": "2019-12-31",
            "units": [
                {"id": "县B", "kind": "county", "external_service": True},
                {"id": "县B-微信", "kind": "county_account", "parent": "县B", "external_service": True},
            ],
            "events": [
                {"id": "e1", "unit": "县B-微信", "date": "2019-10-02", "kind": "deduction", "indicator": "指标丙", "points": "45"},
            ],
            "expect": {
                "县B": {"total": None, "grade": None},
                "县B-微信": {"total": "60", "items": {"part2": "60", "part3": "0"}, "grade": None},
            },
            "reasoning": "C9: the account is scored on its own: 指标丙 deductions 45 are capped at its maximum 40 (C5),"
            " part 2 = 60, not above 80 so no bonus; C9 states no under-60 rule (and 60 is not under 60): no grade."
            " No account is vetoed and the combination rule is cut off (reading 5), so the county gets no number.",
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
