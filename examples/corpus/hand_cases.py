"""Cases worked by hand here, from each corpus document's rules.md alone (not from what the rubric does), for
what the document's own cases leave untested: boundaries, caps hit and exceeded, floors, vetoes beside
bonuses, blank periods, deep ties, units without events, events out of order, re-inspections.

Each case has the shape of a corpus `cases.json` case, plus `clause` (the clauses it checks) and the expected
results under `expect`; `reasoning` works every number from the clause. `make_corpus_tests.py` appends them to
the folder's test file, after the document's own cases.
"""

from __future__ import annotations

EXTRA_CASES: dict[str, list[dict]] = {
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


# --- helpers: events written out one by one, as the corpus writes them ---------------------------------------


def _published(unit: str, prefix: str, month: str, how_many: int) -> list[dict]:
    """`how_many` published events of `unit` in `month` (YYYY-MM), one per event, days 1 to 28 in turn."""
    return [
        {"id": f"{prefix}{month}-{number}", "unit": unit, "date": f"{month}-{number % 28 + 1:02d}", "kind": "published"}
        for number in range(how_many)
    ]


def _submitted(unit: str, ids: list[str], date: str, late_ids: tuple[str, ...] = ()) -> list[dict]:
    return [{"id": f"s-{a}", "unit": unit, "date": date, "kind": "submitted", "article_id": a, "late": a in late_ids} for a in ids]


def _violations(unit: str, inspection: str, date: str, points: list[int], prefix: str) -> list[dict]:
    """One violation event per entry of `points` at `inspection` (categories by the C3-C5 minimums they meet)."""
    category = {7: "public_health_hazard", 5: "critical", 2: "general"}
    return [
        {
            "id": f"{prefix}{number}",
            "unit": unit,
            "date": date,
            "kind": "violation",
            "inspection_id": inspection,
            "category": next(name for least, name in sorted(category.items(), reverse=True) if p >= least),
            "condition_level": 1,
            "points": p,
        }
        for number, p in enumerate(points, 1)
    ]


def _race(unit: str, race: str, date: str, position, fastest: bool = False) -> dict:
    return {
        "id": f"{race}-{unit}",
        "unit": unit,
        "date": date,
        "kind": "race_result",
        "race_id": race,
        "position": position,
        "fastest_lap": fastest,
    }


_INDICATOR_MAX = {"指标甲": 10, "指标乙": 10, "指标丙": 40, "指标丁": 40}


def _site(unit: str, kind: str = "website", **more) -> dict:
    row = {"id": unit, "kind": kind, "external_service": True, "indicator_max": _INDICATOR_MAX, "note": "indicator_max HYPOTHETICAL"}
    return row | more


def _finding(unit: str, fid: str, kind: str, what: str, points: str | None = None) -> dict:
    event = {"id": fid, "unit": unit, "date": "2019-10-01", "kind": kind}
    if kind == "veto_finding":
        event["condition"] = what
    else:
        event |= {"indicator": what, "points": points}
    return event


# --- 03 Zhonglou: information work, per quarter ----------------------------------------------------------------

EXTRA_CASES["03_zhonglou_info"] += [
    {
        "name": "hand_exactly_6_meets_and_5_does_not",
        "clause": ["C1", "C2", "C3", "C5", "C8"],
        "as_of": "2022-03-31",
        "period": "2022-Q1",
        "units": [{"id": "甲科", "quarterly_target": 1}, {"id": "乙科", "quarterly_target": 3}],
        "events": [
            *_submitted("甲科", ["j1"], "2022-01-10", late_ids=("j1",)),
            {"id": "j2", "unit": "甲科", "date": "2022-02-10", "kind": "commission_completed", "article_id": "j9"},
            *_submitted("乙科", ["y1"], "2022-01-11"),
            {"id": "y2", "unit": "乙科", "date": "2022-02-11", "kind": "commission_completed", "article_id": "y9"},
        ],
        "expect": {
            "甲科": {
                "total": "6",
                "items": {"C1": "-1", "C2": "0", "C4": "0", "C5": "-1", "C8_base_after_deductions": "4", "C3": "2", "C6": "0"},
                "grade": "达标",
            },
            "乙科": {
                "total": "5",
                "items": {"C1": "0", "C2": "-2", "C5": "-1", "C8_base_after_deductions": "3", "C3": "2"},
                "grade": "不达标",
            },
        },
        "reasoning": "C8: below 6 is 不达标, so exactly 6 is not. 甲科: one submission, late: C1 -1; 1 of a quota of 1: C2 0;"
        " nothing adopted, 0/1 = 0% < 30%: C5 -1. Base = max(0, 6 - 2) = 4; one commissioned article C3 +2; total 6,"
        " 达标. 乙科: one submission on time (C1 0) of a quota of 3: C2 -2; 0/1: C5 -1. Base 6 - 3 = 3; C3 +2;"
        " total 5 < 6: 不达标.",
    },
    {
        "name": "hand_q2_counts_only_q2_events_out_of_order",
        "clause": ["C2", "C4", "C5", "C6"],
        "as_of": "2022-06-30",
        "period": "2022-Q2",
        "units": [{"id": "丁科", "quarterly_target": 3}],
        "events": [
            *_submitted("丁科", ["f3"], "2022-05-10"),
            *_submitted("丁科", ["f1"], "2022-03-25", late_ids=("f1",)),
            {
                "id": "d4",
                "unit": "丁科",
                "date": "2022-04-10",
                "kind": "adopted",
                "article_id": "f1",
                "level": "市级",
                "category": "理论调研类",
            },
            *_submitted("丁科", ["f2"], "2022-04-02"),
            {
                "id": "d5",
                "unit": "丁科",
                "date": "2022-06-30",
                "kind": "adopted",
                "article_id": "f2",
                "level": "省级及以上",
                "category": "党建类",
            },
            {"id": "d6", "unit": "丁科", "date": "2022-07-01", "kind": "criticized"},
        ],
        "expect": {
            "丁科": {
                "total": "65",
                "items": {"C1": "0", "C2": "-1", "C4": "0", "C5": "0", "C8_base_after_deductions": "5", "C6": "60", "C7": "0"},
                "grade": "达标",
            }
        },
        "reasoning": "Scored per quarter (reading 1), Q2 = April to June; the events are listed out of date order. The"
        " late submission f1 is dated March (Q1): neither its lateness (C1) nor it counts in Q2. Submitted in Q2: f2, f3,"
        " 2 against a quota of 3: C2 -1. Adopted in Q2: f1 (submitted in Q1) and f2, 2 distinct articles of 2 submitted"
        " in the quarter = 100% (reading 3 divides the quarter's adoptions by the quarter's submissions): C5 0. The"
        " notice of 1 July is in Q3: C4 0. Base 6 - 1 = 5. C6: 市级理论调研类 30 + 省级及以上党建类 30 = 60 (30 June is"
        " still Q2). Total 5 + 60 = 65, 达标.",
    },
    {
        "name": "hand_base_used_up_exactly_and_exceeded",
        "clause": ["C1", "C2", "C3", "C4", "C5", "C7", "C8"],
        "as_of": "2022-03-31",
        "period": "2022-Q1",
        "units": [{"id": "戊科", "quarterly_target": 3}, {"id": "己科", "quarterly_target": 5}],
        "events": [
            *_submitted("戊科", ["w1"], "2022-01-05", late_ids=("w1",)),
            {"id": "w2", "unit": "戊科", "date": "2022-02-01", "kind": "criticized"},
            {"id": "w3", "unit": "戊科", "date": "2022-03-01", "kind": "instructed", "article_id": "w1", "level": "区级"},
            *_submitted("己科", ["x1"], "2022-01-06", late_ids=("x1",)),
            {"id": "x2", "unit": "己科", "date": "2022-02-02", "kind": "criticized"},
            {"id": "x3", "unit": "己科", "date": "2022-03-02", "kind": "commission_completed", "article_id": "x8"},
            {"id": "x4", "unit": "己科", "date": "2022-03-03", "kind": "commission_completed", "article_id": "x9"},
        ],
        "expect": {
            "戊科": {
                "total": "10",
                "items": {"C1": "-1", "C2": "-2", "C4": "-2", "C5": "-1", "C8_base_after_deductions": "0", "C7": "10"},
                "grade": "达标",
            },
            "己科": {
                "total": "4",
                "items": {"C1": "-1", "C2": "-4", "C4": "-2", "C5": "-1", "C8_base_after_deductions": "0", "C3": "4"},
                "grade": "不达标",
            },
        },
        "reasoning": "戊科: one late submission C1 -1; 1 of a quota of 3, C2 -2; one notice C4 -2; 0 adopted of 1, C5 -1:"
        " deductions 6 use up the base exactly, base 0. A 区级 instruction on w1, C7 +10 (C7 needs no adoption). Total"
        " 0 + 10 = 10, 达标. 己科: C1 -1, C2 1 of 5 = -4, C4 -2, C5 -1: deductions 8 > 6, so the base stops at 0"
        " (reading 5), and two commissioned articles add C3 +4 on top: total 4 < 6, 不达标. (Floor on the whole,"
        " the other reading: max(0, 6 - 8 + 4) = 2.)",
    },
    {
        "name": "hand_zero_quota_and_every_level_and_category",
        "clause": ["C2", "C5", "C6", "C7", "C8"],
        "as_of": "2022-03-31",
        "period": "2022-Q1",
        "units": [{"id": "庚科", "quarterly_target": 0}],
        "events": [
            *_submitted("庚科", [f"g{i}" for i in range(1, 10)], "2022-01-20"),
            *[
                {
                    "id": f"ga{i}",
                    "unit": "庚科",
                    "date": "2022-02-20",
                    "kind": "adopted",
                    "article_id": f"g{i}",
                    "level": level,
                    "category": category,
                }
                for i, (level, category) in enumerate(
                    [(lv, ct) for lv in ("区级", "市级", "省级及以上") for ct in ("政务及新闻类", "党建类", "理论调研类")], 1
                )
            ],
            {"id": "gi1", "unit": "庚科", "date": "2022-03-20", "kind": "instructed", "article_id": "g9", "level": "省级及以上"},
            {"id": "gi2", "unit": "庚科", "date": "2022-03-21", "kind": "instructed", "article_id": "g3", "level": "市级"},
        ],
        "expect": {
            "庚科": {
                "total": "276",
                "items": {"C2": "0", "C5": "0", "C8_base_after_deductions": "6", "C6": "210", "C7": "60"},
                "grade": "达标",
            }
        },
        "reasoning": "A quota of 0: nothing can be short of it, C2 0. 9 submitted, 9 adopted: 100%, C5 0. C6, one article in"
        " each cell of the table: 区级 10 + 10 + 20, 市级 15 + 15 + 30, 省级及以上 30 + 30 + 50 = 40 + 60 + 110 = 210. C7:"
        " 省级及以上 +40, 市级 +20 = 60. Total 6 + 210 + 60 = 276, 达标.",
    },
    {
        "name": "hand_q4_rate_one_third_and_one_quarter",
        "clause": ["C2", "C5", "C6", "C8"],
        "as_of": "2022-12-31",
        "period": "2022-Q4",
        "units": [{"id": "辛科", "quarterly_target": 3}, {"id": "壬科", "quarterly_target": 3}],
        "events": [
            *_submitted("辛科", ["h0"], "2022-09-30"),
            *_submitted("辛科", ["h1", "h2", "h3"], "2022-10-15"),
            {
                "id": "ha1",
                "unit": "辛科",
                "date": "2022-11-01",
                "kind": "adopted",
                "article_id": "h1",
                "level": "区级",
                "category": "政务及新闻类",
            },
            *_submitted("壬科", ["k1", "k2", "k3", "k4"], "2022-12-01"),
            {
                "id": "ka1",
                "unit": "壬科",
                "date": "2022-12-31",
                "kind": "adopted",
                "article_id": "k1",
                "level": "区级",
                "category": "党建类",
            },
        ],
        "expect": {
            "辛科": {"total": "16", "items": {"C2": "0", "C5": "0", "C8_base_after_deductions": "6", "C6": "10"}, "grade": "达标"},
            "壬科": {"total": "15", "items": {"C2": "0", "C5": "-1", "C8_base_after_deductions": "5", "C6": "10"}, "grade": "达标"},
        },
        "reasoning": "Q4 is October to December; 辛科's h0 of 30 September is Q3 and does not count. 辛科: 3 submitted in Q4,"
        " quota 3, C2 0; 1 adopted of 3 = 33.3%, not under 30%, C5 0; C6 区级政务及新闻类 10: total 6 + 10 = 16. 壬科:"
        " 4 submitted, C2 0; 1 of 4 = 25% < 30%, C5 -1; base 5; C6 区级党建类 10: total 15. Both 达标.",
    },
    {
        "name": "hand_three_notices_and_instructions_at_every_level",
        "clause": ["C4", "C5", "C6", "C7", "C8"],
        "as_of": "2022-03-31",
        "period": "2022-Q1",
        "units": [{"id": "癸科", "quarterly_target": 2}],
        "events": [
            *_submitted("癸科", ["m1", "m2", "m3"], "2022-01-08"),
            {
                "id": "ma1",
                "unit": "癸科",
                "date": "2022-01-20",
                "kind": "adopted",
                "article_id": "m1",
                "level": "市级",
                "category": "党建类",
            },
            {
                "id": "ma2",
                "unit": "癸科",
                "date": "2022-01-21",
                "kind": "adopted",
                "article_id": "m2",
                "level": "区级",
                "category": "理论调研类",
            },
            {"id": "mi1", "unit": "癸科", "date": "2022-02-01", "kind": "instructed", "article_id": "m1", "level": "区级"},
            {"id": "mi2", "unit": "癸科", "date": "2022-02-02", "kind": "instructed", "article_id": "m2", "level": "省级及以上"},
            {"id": "mi3", "unit": "癸科", "date": "2022-02-03", "kind": "instructed", "article_id": "m3", "level": "市级"},
            {"id": "mc1", "unit": "癸科", "date": "2022-03-01", "kind": "criticized"},
            {"id": "mc2", "unit": "癸科", "date": "2022-03-02", "kind": "criticized"},
            {"id": "mc3", "unit": "癸科", "date": "2022-03-03", "kind": "criticized"},
        ],
        "expect": {
            "癸科": {
                "total": "105",
                "items": {"C1": "0", "C2": "0", "C4": "-6", "C5": "0", "C8_base_after_deductions": "0", "C6": "35", "C7": "70"},
                "grade": "达标",
            }
        },
        "reasoning": "3 submitted of a quota of 2: C2 0. 2 adopted of 3 = 66.7%: C5 0. Three notices, C4 3 × -2 = -6: the"
        " base of 6 is used up exactly, 0. C6: 市级党建类 15 + 区级理论调研类 20 = 35. C7: one instruction at each level,"
        " 10 + 40 + 20 = 70 (m3 was not adopted; C7 does not ask that it was). Total 0 + 35 + 70 = 105, 达标.",
    },
]


EXTRA_CASES["03_zhonglou_info"].append(
    {
        "name": "hand_a_quarter_of_another_year",
        "clause": ["C5", "C6", "C8"],
        "as_of": "2023-09-30",
        "period": "2023-Q3",
        "units": [{"id": "子科", "quarterly_target": 1}],
        "events": [
            *_submitted("子科", ["n1", "n2"], "2023-08-01"),
            {
                "id": "na1",
                "unit": "子科",
                "date": "2023-09-29",
                "kind": "adopted",
                "article_id": "n2",
                "level": "市级",
                "category": "政务及新闻类",
            },
            {"id": "nc1", "unit": "子科", "date": "2023-06-30", "kind": "criticized"},
        ],
        "expect": {
            "子科": {
                "total": "21",
                "items": {"C2": "0", "C4": "0", "C5": "0", "C8_base_after_deductions": "6", "C6": "15"},
                "grade": "达标",
            }
        },
        "reasoning": "The table is undated and names no year, so a quarter of 2023 is scored like one of 2022. Q3 2023:"
        " 2 submitted of a quota of 1, C2 0; 1 adopted of 2 = 50%, C5 0; the notice of 30 June is Q2, C4 0. Base 6, C6"
        " 市级政务及新闻类 15: total 21, 达标.",
    }
)


# --- 05 township disclosure: January to March 2010, 40 a month ------------------------------------------------

_Q1_2010 = ("2010-01", "2010-02", "2010-03")


def _months(unit: str, prefix: str, counts: tuple[int, int, int]) -> list[dict]:
    return [event for month, count in zip(_Q1_2010, counts, strict=True) for event in _published(unit, prefix, month, count)]


EXTRA_CASES["05_township_disclosure_2010"] += [
    {
        "name": "hand_two_blank_months_and_all_months_short",
        "clause": ["C6", "C7", "C8"],
        "as_of": "2010-03-31",
        "units": [{"id": "丙镇"}, {"id": "丁镇"}],
        "events": [*_months("丙镇", "b", (0, 0, 39)), *_months("丁镇", "d", (39, 39, 39))],
        "expect": {
            "丙镇": {"total": "5", "items": {"C6_C8_quantity": "5", "C2_bonus": "0", "C3": "0", "C4": "0"}},
            "丁镇": {"total": "25", "items": {"C6_C8_quantity": "25", "C2_bonus": "0", "C3": "0", "C4": "0"}},
        },
        "reasoning": "Required 40 × 3 = 120. 丙镇: January and February are blank, March has 39: every month is under 40,"
        " C7 3 × -5 = -15; two blank months, C8 2 × -10 = -20 (reading 2: a blank month costs both). 40 - 35 = 5, not"
        " below 0. 39 < 120: no bonus. Total 5. 丁镇: 39 in each month, C7 -15, no blank month: 25; 117 < 120, no"
        " bonus. Total 25.",
    },
    {
        "name": "hand_bonus_at_30_50_55_70pct",
        "clause": ["C2", "C6"],
        "as_of": "2010-03-31",
        "units": [{"id": "戊镇"}, {"id": "己镇"}, {"id": "午镇"}, {"id": "未镇"}],
        "events": [
            *_months("戊镇", "w", (52, 52, 52)),
            *_months("己镇", "j", (60, 60, 60)),
            *_months("午镇", "u", (62, 62, 62)),
            *_months("未镇", "v", (68, 68, 68)),
        ],
        "expect": {
            "戊镇": {"total": "41", "items": {"C6_C8_quantity": "40", "C2_bonus": "1"}},
            "己镇": {"total": "42", "items": {"C6_C8_quantity": "40", "C2_bonus": "2"}},
            "午镇": {"total": "42", "items": {"C6_C8_quantity": "40", "C2_bonus": "2"}},
            "未镇": {"total": "43", "items": {"C6_C8_quantity": "40", "C2_bonus": "3"}},
        },
        "reasoning": "Required 120; every month has at least 40, so the quantity item is 40 (C6). C2 (reading 3), x ="
        " (published - 120) / 120: 戊镇 156, x = 30% exactly: more than 10% and not beyond 30%, +1 ((a) 1 + 0, (b)"
        " floor(30/20) = 1). 己镇 180, x = 50%: (a) 1 + floor(20/20) = 2, (b) floor(50/20) = 2. 午镇 186, x = 55%:"
        " (a) 1 + floor(25/20) = 2, (b) floor(55/20) = 2. 未镇 204, x = 70%: (a) 1 + floor(40/20) = 3, (b)"
        " floor(70/20) = 3. Totals 41, 42, 42, 43.",
    },
    {
        "name": "hand_bonus_despite_a_short_month",
        "clause": ["C2", "C7"],
        "as_of": "2010-03-31",
        "units": [{"id": "庚镇"}],
        "events": _months("庚镇", "g", (100, 10, 40)),
        "expect": {"庚镇": {"total": "36", "items": {"C6_C8_quantity": "35", "C2_bonus": "1", "C3": "0", "C4": "0"}}},
        "reasoning": "February has 10 < 40: C7 -5 (not blank, so no C8): quantity 35. Over the period 150 against 120:"
        " x = 25%, more than 10% and not beyond 30%: C2 +1 (the bonus compares the period's total, whatever each month"
        " did). Total 35 + 1 = 36.",
    },
    {
        "name": "hand_criticisms_take_the_total_below_zero",
        "clause": ["C4", "C7", "C8"],
        "as_of": "2010-03-31",
        "units": [{"id": "辛镇"}, {"id": "壬镇"}],
        "events": [
            {"id": "k1", "unit": "辛镇", "date": "2010-02-10", "kind": "criticized", "issuer_level": "市政府以上"},
            {"id": "k2", "unit": "辛镇", "date": "2010-03-10", "kind": "criticized", "issuer_level": "市政府办公室/市政务公开领导小组"},
        ],
        "expect": {
            "辛镇": {"total": "-4", "items": {"C6_C8_quantity": "0", "C2_bonus": "0", "C3": "0", "C4": "-4"}},
            "壬镇": {"total": "0", "items": {"C6_C8_quantity": "0", "C2_bonus": "0", "C3": "0", "C4": "0"}},
        },
        "reasoning": "Neither township published anything: 3 × (C7 -5 + C8 -10) = -45 against 40, the item stops at 0."
        " 辛镇: criticised by the city government (-3) and by the leading group (-1): C4 -4. Reading 5: the total is"
        " quantity + C2 + C3 + C4 = 0 + 0 + 0 - 4 = -4; the document floors the quantity item only. 壬镇, listed and"
        " with no events at all: 0.",
    },
    {
        "name": "hand_commendations_both_levels_and_a_criticism",
        "clause": ["C3", "C4"],
        "as_of": "2010-03-31",
        "units": [{"id": "癸镇"}],
        "events": [
            *_months("癸镇", "g", (40, 40, 40)),
            {"id": "c1", "unit": "癸镇", "date": "2010-01-20", "kind": "commended", "issuer_level": "市政府以上"},
            {"id": "c2", "unit": "癸镇", "date": "2010-02-20", "kind": "commended", "issuer_level": "市政府以上"},
            {"id": "c3", "unit": "癸镇", "date": "2010-03-20", "kind": "commended", "issuer_level": "市政府办公室/市政务公开领导小组"},
            {"id": "c4", "unit": "癸镇", "date": "2010-03-21", "kind": "criticized", "issuer_level": "市政府办公室/市政务公开领导小组"},
        ],
        "expect": {"癸镇": {"total": "46", "items": {"C6_C8_quantity": "40", "C2_bonus": "0", "C3": "7", "C4": "-1"}}},
        "reasoning": "40 each month: quantity 40, excess 0, no bonus. C3: two commendations from the city government or"
        " higher, 2 × 3 = 6, one from the general office or leading group, +1: 7. C4: one criticism from the general"
        " office or leading group, -1. Total 40 + 7 - 1 = 46.",
    },
    {
        "name": "hand_out_of_order_and_after_the_as_of_date",
        "clause": ["C2", "C3", "C6"],
        "as_of": "2010-03-31",
        "units": [{"id": "子镇"}],
        "events": [
            *_published("子镇", "m", "2010-03", 40),
            *_published("子镇", "f", "2010-02", 40),
            *_published("子镇", "j", "2010-01", 41),
            *_published("子镇", "a", "2010-04", 20),
            {"id": "c1", "unit": "子镇", "date": "2010-04-02", "kind": "commended", "issuer_level": "市政府以上"},
        ],
        "expect": {"子镇": {"total": "40", "items": {"C6_C8_quantity": "40", "C2_bonus": "0", "C3": "0", "C4": "0"}}},
        "reasoning": "The events come March first, then February, then January (reading 6: each counts in the month of"
        " its date). 41, 40, 40: no month under 40, quantity 40. January to March (reading 1) published 121: x = 1/120"
        " = 0.8%, no bonus. The 20 items and the commendation of April fall after the as-of date 2010-03-31 and count"
        " for nothing. Total 40.",
    },
]


# --- 06 Zhaoqing websites and new media (indicator maxima HYPOTHETICAL: 甲 10, 乙 10, 丙 40, 丁 40) ------------

EXTRA_CASES["06_zhaoqing_web_2019"] += [
    {
        "name": "hand_caps_hit_exactly_and_exceeded_part2_at_0_60_59_9",
        "clause": ["C2", "C4", "C5"],
        "as_of": "2019-12-31",
        "units": [_site("W6"), _site("W8"), _site("W9")],
        "events": [
            _finding("W6", "a1", "deduction", "指标甲", "10"),
            _finding("W6", "a2", "deduction", "指标乙", "7"),
            _finding("W6", "a3", "deduction", "指标乙", "5"),
            _finding("W6", "a4", "deduction", "指标丙", "40"),
            _finding("W6", "a5", "deduction", "指标丁", "45"),
            _finding("W6", "a6", "bonus", "加分项", "5"),
            _finding("W8", "b1", "deduction", "指标丙", "40.5"),
            _finding("W9", "c1", "deduction", "指标丙", "30"),
            _finding("W9", "c2", "deduction", "指标丁", "10.1"),
        ],
        "expect": {
            "W6": {"total": "0", "items": {"part2": "0", "part3": "0"}, "grade": "不合格"},
            "W8": {"total": "60", "items": {"part2": "60", "part3": "0"}, "grade": None},
            "W9": {"total": "59.9", "items": {"part2": "59.9", "part3": "0"}, "grade": "不合格"},
        },
        "reasoning": "Reading 1: part 2 = 100 - Σ min(indicator maximum, its deductions). W6: 甲 10 (exactly its"
        " maximum), 乙 7 + 5 = 12 capped at 10, 丙 40 (exactly), 丁 45 capped at 40: 100 - 100 = 0. 0 is not above 80,"
        " so the bonus is not counted (part 3 = 0); under 60: 不合格 (C4). W8: 丙 40.5 capped at 40: part 2 = 60,"
        " not under 60 (reading 3): no grade. W9: 30 + 10.1 = 40.1 (丙 30 ≤ 40, 丁 10.1 ≤ 40): 59.9 < 60, 不合格.",
    },
    {
        "name": "hand_bonus_exactly_25_and_over_with_no_deduction",
        "clause": ["C2", "C4"],
        "as_of": "2019-12-31",
        "units": [_site("W7"), _site("W11"), _site("W12")],
        "events": [
            _finding("W7", "a1", "deduction", "指标甲", "4.5"),
            _finding("W7", "a2", "deduction", "指标甲", "5"),
            _finding("W7", "a3", "bonus", "加分项1", "20"),
            _finding("W7", "a4", "bonus", "加分项2", "5"),
            _finding("W11", "b1", "bonus", "加分项1", "30"),
        ],
        "expect": {
            "W7": {"total": "115.5", "items": {"part2": "90.5", "part3": "25"}, "grade": None},
            "W11": {"total": "125", "items": {"part2": "100", "part3": "25"}, "grade": None},
            "W12": {"total": "100", "items": {"part2": "100", "part3": "0"}, "grade": None},
        },
        "reasoning": "W7: 甲 4.5 + 5 = 9.5 (under its maximum 10): part 2 = 90.5 > 80, so the bonus counts: 20 + 5 = 25,"
        " exactly the most part 3 can be (C2): total 115.5. W11: no deduction, part 2 = 100; bonus 30 capped at 25:"
        " 125. W12 has no finding at all: part 2 = 100, part 3 = 0, total 100. None is under 60: no grade.",
    },
    {
        "name": "hand_vetoed_website_with_bonus_and_department_accounts",
        "clause": ["C3", "C7", "C8"],
        "as_of": "2019-12-31",
        "units": [_site("W10"), _site("D3", "dept_new_media"), _site("D4", "dept_new_media"), _site("D5", "dept_new_media")],
        "events": [
            _finding("W10", "a1", "deduction", "指标丁", "3"),
            _finding("W10", "a2", "bonus", "加分项", "20"),
            _finding("W10", "a3", "veto_finding", "首页无法访问"),
            _finding("D3", "b1", "deduction", "指标丙", "5"),
            _finding("D3", "b2", "bonus", "加分项", "10"),
            _finding("D4", "c1", "deduction", "指标丁", "20"),
            _finding("D4", "c2", "bonus", "加分项", "5"),
            _finding("D5", "d1", "deduction", "指标丁", "50"),
            _finding("D5", "d2", "veto_finding", "泄密"),
        ],
        "expect": {
            "W10": {"total": None, "grade": "不合格"},
            "D3": {"total": "105", "items": {"part2": "95", "part3": "10"}, "grade": None},
            "D4": {"total": "80", "items": {"part2": "80", "part3": "0"}, "grade": None},
            "D5": {"total": None, "grade": "不合格"},
        },
        "reasoning": "W10: a veto condition (C3) makes the website 不合格 and nothing else is scored, its bonus included;"
        " the text gives no number (reading 4): no score. D3, a department account (C8 = C4 + C5): part 2 = 100 - 5 ="
        " 95 > 80, bonus 10: 105. D4: 100 - 20 = 80, not above 80: the bonus of 5 is not counted, total 80. D5: vetoed"
        " (C7): 不合格, no score, whatever its deductions.",
    },
    {
        "name": "hand_two_counties_both_accounts_vetoed_and_none",
        "clause": ["C9", "C9b"],
        "as_of": "2019-12-31",
        "units": [
            _site("县C", "county"),
            _site("县C-微信", "county_account", parent="县C"),
            _site("县C-抖音", "county_account", parent="县C"),
            _site("县D", "county"),
            _site("县D-微信", "county_account", parent="县D"),
            _site("县D-微博", "county_account", parent="县D"),
        ],
        "events": [
            _finding("县C-微信", "a1", "veto_finding", "账号被封"),
            _finding("县C-抖音", "a2", "veto_finding", "内容严重错误"),
            _finding("县C-抖音", "a3", "bonus", "加分项", "5"),
            _finding("县D-微信", "b1", "deduction", "指标乙", "15"),
            _finding("县D-微信", "b2", "bonus", "加分项", "3"),
            _finding("县D-微博", "b3", "deduction", "指标丙", "40"),
            _finding("县D-微博", "b4", "deduction", "指标丁", "5"),
        ],
        "expect": {
            "县C": {"total": "59", "grade": "不合格"},
            "县C-微信": {"total": None, "grade": "不合格"},
            "县C-抖音": {"total": None, "grade": "不合格"},
            "县D": {"total": None, "grade": None},
            "县D-微信": {"total": "93", "items": {"part2": "90", "part3": "3"}, "grade": None},
            "县D-微博": {"total": "55", "items": {"part2": "55", "part3": "0"}, "grade": None},
        },
        "reasoning": "C9 (reading 5): each account is scored on its own. 县C: both accounts are vetoed, so the county is"
        " 不合格 with 59 (one vetoed account is enough; two change nothing); a vetoed account has no score (read like"
        " C7) and is 不合格, its bonus ignored. 县D: no account vetoed and the combination rule is cut off, so no number."
        " 县D-微信: 乙 15 capped at 10 (C5): part 2 = 90 > 80, bonus 3: 93. 县D-微博: 100 - 40 - 5 = 55, not above 80:"
        " no bonus; C9 states no under-60 rule: no grade.",
    },
    {
        "name": "hand_quarter_points_are_not_rounded_away",
        "clause": ["C2", "C4"],
        "as_of": "2019-12-31",
        "units": [_site("W13"), _site("W14")],
        "events": [
            _finding("W13", "a1", "deduction", "指标丙", "19.75"),
            _finding("W13", "a2", "bonus", "加分项", "0.25"),
            _finding("W14", "b1", "deduction", "指标丙", "19.95"),
            _finding("W14", "b2", "bonus", "加分项", "4"),
        ],
        "expect": {
            "W13": {"total": "80.5", "items": {"part2": "80.25", "part3": "0.25"}, "grade": None},
            "W14": {"total": "84.05", "items": {"part2": "80.05", "part3": "4"}, "grade": None},
        },
        "reasoning": "The document sets no rounding; points are decimals. W13: part 2 = 100 - 19.75 = 80.25 > 80, so the"
        " bonus 0.25 counts: 80.5. W14: 100 - 19.95 = 80.05, above 80 (strict, reading 2) by 0.05: bonus 4, total 84.05.",
    },
    {
        "name": "hand_county_account_under_60_and_vetoed_sibling",
        "clause": ["C9"],
        "as_of": "2019-12-31",
        "units": [
            _site("县E", "county"),
            _site("县E-微信", "county_account", parent="县E"),
            _site("县E-微博", "county_account", parent="县E"),
        ],
        "events": [
            _finding("县E-微博", "a1", "deduction", "指标丙", "35"),
            _finding("县E-微博", "a2", "deduction", "指标丁", "20"),
            _finding("县E-微博", "a3", "bonus", "加分项", "10"),
            _finding("县E-微信", "a4", "deduction", "指标甲", "2"),
            _finding("县E-微信", "a5", "veto_finding", "账号被封"),
        ],
        "expect": {
            "县E": {"total": "59", "grade": "不合格"},
            "县E-微信": {"total": None, "grade": "不合格"},
            "县E-微博": {"total": "45", "items": {"part2": "45", "part3": "0"}, "grade": None},
        },
        "reasoning": "县E-微博: part 2 = 100 - 35 - 20 = 45, not above 80 so its bonus of 10 is not counted: 45; C9 states"
        " no under-60 rule, no grade. 县E-微信 is vetoed: no score, 不合格. One vetoed account makes the county 不合格"
        " with 59 (C9), whatever the other scored.",
    },
]


# --- 07 NYC restaurant inspections (lower is better) ---------------------------------------------------------


def _inspection(unit: str, inspection: str, date: str, type_: str) -> dict:
    return {"id": f"{inspection}-opened", "unit": unit, "date": date, "kind": "inspection", "inspection_id": inspection, "type": type_}


EXTRA_CASES["07_nyc_restaurant_grading"] = [
    {
        "name": "hand_initial_13_is_A_and_14_is_ungraded",
        "clause": ["C1", "C2", "C7", "C8"],
        "as_of": "2023-05-31",
        "units": [{"id": "R10"}, {"id": "R11"}],
        "events": [
            _inspection("R10", "n1", "2023-05-02", "initial"),
            *_violations("R10", "n1", "2023-05-02", [7, 2, 2, 2], "v10-"),
            _inspection("R11", "n2", "2023-05-03", "initial"),
            *_violations("R11", "n2", "2023-05-03", [7, 7], "v11-"),
        ],
        "expect": {
            "R10": {"total": "13", "items": {"latest_inspection": "n1", "score": "13"}, "grade": "A"},
            "R11": {
                "total": "14",
                "items": {"latest_inspection": "n2", "score": "14"},
                "grade": None,
                "status": "ungraded, awaiting re-inspection",
            },
        },
        "reasoning": "C2: an inspection's score is the sum of its violations. R10: 7 + 2 + 2 + 2 = 13, in 0-13, and an"
        " initial inspection scoring 0-13 earns an A (C7). R11: 7 + 7 = 14, not an A at the initial inspection, so no"
        " grade until a re-inspection (C8; reading 2: status ungraded, awaiting re-inspection). Total: the latest"
        " inspection's score (reading 3).",
    },
    {
        "name": "hand_reinspection_A_at_13_and_B_at_14",
        "clause": ["C1", "C8", "C9"],
        "as_of": "2023-06-30",
        "units": [{"id": "R12"}, {"id": "R13"}],
        "events": [
            _inspection("R12", "p1", "2023-06-01", "initial"),
            *_violations("R12", "p1", "2023-06-01", [7, 7, 2, 2, 2], "v12a-"),
            _inspection("R12", "p2", "2023-06-09", "reinspection"),
            *_violations("R12", "p2", "2023-06-09", [7, 2, 2, 2], "v12b-"),
            _inspection("R13", "q1", "2023-06-02", "initial"),
            *_violations("R13", "q1", "2023-06-02", [10, 10, 5, 5], "v13a-"),
            _inspection("R13", "q2", "2023-06-09", "reinspection"),
            *_violations("R13", "q2", "2023-06-09", [7, 7], "v13b-"),
        ],
        "expect": {
            "R12": {"total": "13", "items": {"latest_inspection": "p2", "score": "13", "initial_score": "20"}, "grade": "A"},
            "R13": {
                "total": "14",
                "items": {"latest_inspection": "q2", "score": "14", "initial_score": "30"},
                "grade": "B",
                "status": "Grade Pending card may be posted",
            },
        },
        "reasoning": "R12: initial 7 + 7 + 2 + 2 + 2 = 20, ungraded; re-inspection 8 days later 7 + 2 + 2 + 2 = 13: 0-13,"
        " A (C1, C9: an A card is posted straight away, no Grade Pending card). R13: initial 10 + 10 + 5 + 5 = 30;"
        " re-inspection exactly 7 days later (reading 4: at least 7): 7 + 7 = 14, in 14-27: B, with the Grade Pending"
        " card (C9). Totals are the re-inspections' scores (reading 3).",
    },
    {
        "name": "hand_reinspection_after_the_as_of_date_is_not_seen",
        "clause": ["C8"],
        "as_of": "2023-05-08",
        "units": [{"id": "R14"}],
        "events": [
            _inspection("R14", "s2", "2023-05-10", "reinspection"),
            *_violations("R14", "s2", "2023-05-10", [2], "v14b-"),
            _inspection("R14", "s1", "2023-05-01", "initial"),
            *_violations("R14", "s1", "2023-05-01", [5, 5, 7], "v14a-"),
        ],
        "expect": {
            "R14": {
                "total": "17",
                "items": {"latest_inspection": "s1", "score": "17"},
                "grade": None,
                "status": "ungraded, awaiting re-inspection",
            }
        },
        "reasoning": "Reading 3: the latest inspection on or before the as-of date 2023-05-08 is the initial one of 1 May"
        " (the re-inspection of 10 May is later, and is listed first); 5 + 5 + 7 = 17, not an A: no grade yet, awaiting"
        " re-inspection (C8).",
    },
    {
        "name": "hand_out_of_order_reinspection_C_and_a_clean_reinspection",
        "clause": ["C1", "C2", "C9"],
        "as_of": "2023-07-31",
        "units": [{"id": "R15"}, {"id": "R16"}],
        "events": [
            *_violations("R15", "t2", "2023-07-20", [10, 10, 7, 7, 2, 2, 2], "v15b-"),
            _inspection("R15", "t2", "2023-07-20", "reinspection"),
            *_violations("R15", "t1", "2023-07-03", [7, 7, 2, 2], "v15a-"),
            _inspection("R15", "t1", "2023-07-03", "initial"),
            _inspection("R16", "u1", "2023-07-01", "initial"),
            *_violations("R16", "u1", "2023-07-01", [7, 7, 7, 7], "v16a-"),
            _inspection("R16", "u2", "2023-07-15", "reinspection"),
        ],
        "expect": {
            "R15": {
                "total": "40",
                "items": {"latest_inspection": "t2", "score": "40", "initial_score": "18"},
                "grade": "C",
                "status": "Grade Pending card may be posted",
            },
            "R16": {"total": "0", "items": {"latest_inspection": "u2", "score": "0", "initial_score": "28"}, "grade": "A"},
        },
        "reasoning": "The events come out of order (violations before their inspection, July 20 before July 3). R15:"
        " initial t1 = 7 + 7 + 2 + 2 = 18, ungraded; re-inspection t2, 17 days later: 10 + 10 + 7 + 7 + 2 + 2 + 2 = 40"
        " >= 28: C (C1), with the Grade Pending card (C9). R16: initial 28, re-inspection 14"
        " days later with no violation: 0, A.",
    },
    {
        "name": "hand_second_cycle_and_a_new_year",
        "clause": ["C1", "C7", "C9"],
        "as_of": "2024-01-31",
        "units": [{"id": "R17"}, {"id": "R18"}],
        "events": [
            _inspection("R17", "w1", "2023-02-01", "initial"),
            *_violations("R17", "w1", "2023-02-01", [7, 7, 7], "v17a-"),
            _inspection("R17", "w2", "2023-02-10", "reinspection"),
            *_violations("R17", "w2", "2023-02-10", [5, 2], "v17b-"),
            _inspection("R17", "w3", "2024-01-15", "initial"),
            *_violations("R17", "w3", "2024-01-15", [2, 2, 2], "v17c-"),
            _inspection("R18", "x1", "2023-12-28", "initial"),
            *_violations("R18", "x1", "2023-12-28", [7, 7, 5], "v18a-"),
            _inspection("R18", "x2", "2024-01-04", "reinspection"),
            *_violations("R18", "x2", "2024-01-04", [7, 7, 5, 5, 2], "v18b-"),
        ],
        "expect": {
            "R17": {"total": "6", "items": {"latest_inspection": "w3", "score": "6", "initial_score": "6"}, "grade": "A"},
            "R18": {
                "total": "26",
                "items": {"latest_inspection": "x2", "score": "26", "initial_score": "19"},
                "grade": "B",
                "status": "Grade Pending card may be posted",
            },
        },
        "reasoning": "The rules are not tied to a year (letter grades since July 2010). R17: 2023 initial 21, re-inspection"
        " 7 (A); the next year's initial inspection (C7: at least one a year) on 2024-01-15 scores 2 + 2 + 2 = 6: the"
        " latest inspection, an initial one in 0-13: A, total 6; the latest initial score is 6. R18: initial on"
        " 2023-12-28, 7 + 7 + 5 = 19, ungraded; re-inspection 7 days later, across the new year, 7 + 7 + 5 + 5 + 2 ="
        " 26: B with the Grade Pending card.",
    },
    {
        "name": "hand_reinspection_at_27_and_28",
        "clause": ["C1", "C9"],
        "as_of": "2023-09-30",
        "units": [{"id": "R19"}, {"id": "R20"}],
        "events": [
            _inspection("R19", "y1", "2023-09-01", "initial"),
            *_violations("R19", "y1", "2023-09-01", [7, 7, 7], "v19a-"),
            _inspection("R19", "y2", "2023-09-11", "reinspection"),
            *_violations("R19", "y2", "2023-09-11", [7, 7, 7, 2, 2, 2], "v19b-"),
            _inspection("R20", "z1", "2023-09-02", "initial"),
            *_violations("R20", "z1", "2023-09-02", [7, 7, 7], "v20a-"),
            _inspection("R20", "z2", "2023-09-12", "reinspection"),
            *_violations("R20", "z2", "2023-09-12", [7, 7, 7, 5, 2], "v20b-"),
        ],
        "expect": {
            "R19": {"total": "27", "grade": "B", "status": "Grade Pending card may be posted"},
            "R20": {"total": "28", "grade": "C", "status": "Grade Pending card may be posted"},
        },
        "reasoning": "Both initial inspections score 21: ungraded. Re-inspections (10 days later): R19 7 + 7 + 7 + 2 + 2 + 2"
        " = 27, the top of 14-27: B; R20 7 + 7 + 7 + 5 + 2 = 28, 28 or more: C (C1). Both get the Grade Pending card (C9).",
    },
]


# --- 10 Formula 1 points ------------------------------------------------------------------------------------------

EXTRA_CASES["10_f1_points"] = [
    {
        "name": "hand_winner_with_fastest_lap_and_countback_on_second_places",
        "clause": ["C1", "C2", "C3"],
        "units": [{"id": "P", "team": "—"}, {"id": "Q", "team": "—"}, {"id": "S", "team": "—"}],
        "events": [
            _race("P", "R9", "2023-08-27", 1),
            _race("Q", "R9", "2023-08-27", 3),
            _race("S", "R9", "2023-08-27", 2, fastest=True),
            _race("Q", "R10", "2023-09-03", 1),
            _race("P", "R10", "2023-09-03", 2),
            _race("S", "R10", "2023-09-03", 4),
            _race("Q", "R11", "2023-09-17", 9),
            _race("S", "R11", "2023-09-17", "DNF"),
            _race("P", "R11", "2023-09-17", 11),
            _race("Q", "R12", "2023-10-08", 10),
            _race("P", "R12", "2023-10-08", 12),
            _race("S", "R12", "2023-10-08", 14, fastest=True),
        ],
        "expect": {
            "P": {"total": "43", "items": {"C1": "43", "C3": "0"}, "rank": 1},
            "Q": {"total": "43", "items": {"C1": "43", "C3": "0"}, "rank": 2},
            "S": {"total": "31", "items": {"C1": "30", "C3": "1"}, "rank": 3},
        },
        "reasoning": "C1: P 25 (1st) + 18 (2nd) + 0 (11th) + 0 (12th) = 43. Q 15 (3rd) + 25 (1st) + 2 (9th) + 1 (10th) ="
        " 43. S 18 (2nd) + 12 (4th) + 0 (DNF) + 0 (14th) = 30, plus the fastest lap in R9 while 2nd (top ten, C3) +1;"
        " the fastest lap in R12 from 14th earns nothing: 31. P and Q tie on 43 (C2): wins 1 v 1, second places P 1 v"
        " Q 0: P ahead. Ranks P 1, Q 2, S 3.",
    },
    {
        "name": "hand_countback_among_drivers_without_points",
        "clause": ["C1", "C2"],
        "units": [{"id": "W", "team": "—"}, {"id": "S1", "team": "—"}, {"id": "T1", "team": "—"}, {"id": "V1", "team": "—"}],
        "events": [
            _race("W", "R13", "2023-10-22", 10),
            _race("S1", "R13", "2023-10-22", 11),
            _race("T1", "R13", "2023-10-22", 12),
            _race("V1", "R13", "2023-10-22", 13),
            _race("W", "R14", "2023-10-29", 18),
            _race("S1", "R14", "2023-10-29", 19),
            _race("T1", "R14", "2023-10-29", 15),
            _race("V1", "R14", "2023-10-29", 12),
        ],
        "expect": {
            "W": {"total": "1", "rank": 1},
            "S1": {"total": "0", "rank": 2},
            "V1": {"total": "0", "rank": 3},
            "T1": {"total": "0", "rank": 4},
        },
        "reasoning": "W: 10th = 1 point; the others score 0 (no points below 10th, C1). Countback among the three on 0"
        " (reading 3: through every position): S1 has an 11th place, V1 and T1 none, so S1 is 2nd. V1 and T1 each have"
        " one 12th; at 13th V1 has one and T1 none: V1 3rd, T1 4th.",
    },
    {
        "name": "hand_constructors_level_on_points_go_to_countback",
        "clause": ["C2", "C4"],
        "units": [
            {"id": "K", "team": "TeamK"},
            {"id": "L", "team": "TeamK"},
            {"id": "M", "team": "TeamM"},
            {"id": "N", "team": "TeamM"},
            {"id": "TeamK", "kind": "constructor"},
            {"id": "TeamM", "kind": "constructor"},
        ],
        "events": [
            _race("K", "R15", "2023-11-05", 1),
            _race("M", "R15", "2023-11-05", 2),
            _race("N", "R15", "2023-11-05", 6),
            _race("L", "R15", "2023-11-05", 10),
            _race("K", "R16", "2023-11-19", 4),
            _race("M", "R16", "2023-11-19", 5),
            _race("N", "R16", "2023-11-19", 9),
            _race("L", "R16", "2023-11-19", "DNF"),
        ],
        "expect": {
            "K": {"total": "37", "rank": 1},
            "M": {"total": "28", "rank": 2},
            "N": {"total": "10", "rank": 3},
            "L": {"total": "1", "rank": 4},
            "TeamK": {"total": "38", "items": {"K": "37", "L": "1"}, "rank": 1},
            "TeamM": {"total": "38", "items": {"M": "28", "N": "10"}, "rank": 2},
        },
        "reasoning": "K 25 (1st) + 12 (4th) = 37; L 1 (10th) + 0 (DNF) = 1; M 18 (2nd) + 10 (5th) = 28; N 8 (6th) + 2"
        " (9th) = 10. Constructors (C4): TeamK 37 + 1 = 38, TeamM 28 + 10 = 38, level. Reading 3 orders the standings"
        " by points and breaks ties by countback (as the FIA does for constructors, on their drivers' results): TeamK"
        " has a win (K, R15), TeamM none: TeamK 1st, TeamM 2nd.",
    },
    {
        "name": "hand_team_with_fastest_lap_and_a_driver_without_team",
        "clause": ["C3", "C4"],
        "units": [
            {"id": "A1", "team": "TeamA"},
            {"id": "A2", "team": "TeamA"},
            {"id": "B1", "team": "TeamB"},
            {"id": "B2", "team": "TeamB"},
            {"id": "Z", "team": "—"},
            {"id": "TeamA", "kind": "constructor"},
            {"id": "TeamB", "kind": "constructor"},
        ],
        "events": [
            _race("Z", "R17", "2021-03-28", 1),
            _race("A1", "R17", "2021-03-28", 2),
            _race("B1", "R17", "2021-03-28", 3),
            _race("A2", "R17", "2021-03-28", 4, fastest=True),
            _race("B2", "R17", "2021-03-28", 5),
        ],
        "expect": {
            "Z": {"total": "25", "rank": 1},
            "A1": {"total": "18", "rank": 2},
            "B1": {"total": "15", "rank": 3},
            "A2": {"total": "13", "items": {"C1": "12", "C3": "1"}, "rank": 4},
            "B2": {"total": "10", "rank": 5},
            "TeamA": {"total": "31", "items": {"A1": "18", "A2": "13"}, "rank": 1},
            "TeamB": {"total": "25", "items": {"B1": "15", "B2": "10"}, "rank": 2},
        },
        "reasoning": "A 2021 race (the fastest-lap point applied 2019-2024). Z 1st 25; A1 2nd 18; B1 3rd 15; A2 4th 12 + 1"
        " for the fastest lap in the top ten = 13; B2 5th 10. Z has no team (—): no constructor. TeamA = 18 + 13 = 31,"
        " TeamB = 15 + 10 = 25: TeamA 1st.",
    },
    {
        "name": "hand_fastest_lap_from_a_retirement_and_a_driver_who_never_started",
        "clause": ["C1", "C2", "C3"],
        "units": [{"id": "X1", "team": "—"}, {"id": "X2", "team": "—"}, {"id": "X3", "team": "—"}],
        "events": [
            _race("X1", "R22", "2023-07-23", 10, fastest=True),
            _race("X2", "R22", "2023-07-23", 11),
            _race("X2", "R23", "2023-07-30", "DNF", fastest=True),
            _race("X1", "R23", "2023-07-30", "DNF"),
        ],
        "expect": {
            "X1": {"total": "2", "items": {"C1": "1", "C3": "1"}, "rank": 1},
            "X2": {"total": "0", "items": {"C1": "0", "C3": "0"}, "rank": 2},
            "X3": {"total": "0", "items": {"C1": "0", "C3": "0"}, "rank": 3},
        },
        "reasoning": "X1: 10th in R22, 1 point, with the fastest lap in the top ten +1 (C3); retired in R23, 0: total 2."
        " X2: 11th in R22, 0; the fastest lap in R23 but retired, so not in the top ten (reading 2): 0. X3 is listed"
        " and never started: 0. X2 and X3 level on 0 (C2 countback, reading 3): no wins or places 1-10 for either;"
        " at 11th place X2 has one, X3 none: X2 2nd, X3 3rd.",
    },
    {
        "name": "hand_a_season_out_of_order_with_a_deep_countback",
        "clause": ["C1", "C2"],
        "units": [{"id": "G1", "team": "—"}, {"id": "H1", "team": "—"}],
        "events": [
            _race("G1", "R20", "2023-11-26", 3),
            _race("H1", "R20", "2023-11-26", 6),
            _race("H1", "R21", "2023-12-03", 9),
            _race("G1", "R18", "2023-03-05", 6),
            _race("H1", "R18", "2023-03-05", 3),
            _race("H1", "R19", "2023-07-09", 8),
            _race("G1", "R19", "2023-07-09", 7),
            _race("G1", "R21", "2023-12-03", "DNF"),
        ],
        "expect": {
            "G1": {"total": "29", "items": {"C1": "29", "C3": "0"}, "rank": 1},
            "H1": {"total": "29", "items": {"C1": "29", "C3": "0"}, "rank": 2},
        },
        "reasoning": "The results are listed out of date order. By race: G1 R18 6th 8, R19 7th 6, R20 3rd 15, R21 DNF 0 ="
        " 29; H1 R18 3rd 15, R19 8th 4, R20 6th 8, R21 9th 2 = 29. Tie (C2): wins 0 v 0, 2nd 0 v 0, 3rd 1 v 1, 4th and"
        " 5th 0 v 0, 6th 1 v 1, 7th G1 1 v H1 0: G1 ahead.",
    },
]
