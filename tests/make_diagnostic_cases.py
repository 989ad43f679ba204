"""Regenerates tests/cases/diagnostics.yaml from the snippets below, and the rendered examples in
docs/language.md (review the diff before committing).

    PYTHONPATH=. python tests/make_diagnostic_cases.py
"""

import pathlib

import yaml

from rubric_dsl.api import check_text

HEAD = 'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nunlisted units are scored apart\n'
KIND = "event adopted\n  field outlet: one of daily_provincial | city_express\n  field value: decimal, optional\n"
SNIPPETS = {
    "E100": HEAD + "award 2 per adopted\n",
    "E100-generic": HEAD + 'section A "a" base\n',
    "E100-cap": HEAD + "deduct 1 for each dead_link, max 5\n",
    "E100-double-equals": HEAD + "award 2 for each adopted where outlet == x\n",
    "E100-unquoted-unit": HEAD + "group g\nunit 通川區 target 150\n",
    "E100-field-type": HEAD + "event e\n  field f: string\n",
    "E101": HEAD + "total 5 @\n",
    "E102": HEAD + 'source "unclosed\n',
    "E103": 'rubric "t"\nwindow 2009-02-30 to 2009-12-31\n',
    "E104": HEAD + "total 1000000000000000\n",
    "E105": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 1 for each adopted where ' + "not " * 33 + "outlet = city_express\n",
    "E106": HEAD + 'source "Dazhou\\2009"\n',
    "E200": HEAD + "award 2\n",
    "E201": HEAD + 'group g\n  unit "通川區"\n  unit "通川區"\n',
    "E202": 'rubric "t"\n',
    "E203": HEAD + "window 2009-01-01 to 2009-06-30\n",
    "E208": HEAD + 'unit names match across scripts\ngroup g\n  unit "通川區"\n  unit "通川区"\n',
    "E208-alias": HEAD + 'group g\n  unit "達縣" also "達川區"\n  unit "渠縣" also "達川區"\n',
    "E409": HEAD + "language zh-TW-Hant\n",
    "E410": HEAD + 'document number "達市府辦〔{year}〕{no}號"\n',
    "E300": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 1 for each adoptd\n',
    "E301": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 1 for each adopted where outlt = city_express\n',
    "E302": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 1 for each adopted where outlet = city_expres\n',
    "E303": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 1 when sum outlet of adopted >= 2\n',
    "E303-two-fields": HEAD
    + "event match\n  field goals_for: integer\n  field goals_against: integer\n"
    + 'section A "a"\n  item A.1 "i"\n    award 3 for each match where goals_for > goals_against\n',
    "E305": HEAD + "event e\n  field n: decimal, from 5 to 1\n",
    "E305-bound-unit": HEAD + "attribute kind: one of website | county\nevent e\n  field n: decimal, at least 5 when unit kind = county\n",
    "E400": HEAD + KIND + 'section A "a" base 10\n  item A.1 "i" base 4\n    award 4\n',
    "E401": HEAD + "total 100\n" + KIND + 'section A "a" base 10\n  item A.1 "i" base 10\n    award 10\n',
    "E402": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 10 when reached adopted by 2010-06-30\n',
    "E403": 'rubric "t"\nwindow 2009-12-31 to 2009-01-01\n',
    "E404": HEAD + "precision 2 rounding half_upp\n",
    "E405": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    scale parts from 300 to 10\n',
    "E406": HEAD + "precision 9\n",
    "E407": HEAD + "bulletin monthy, yearly\n",
    "W500": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 2 for each adopted, at most 1\n',
    "W501": HEAD + KIND + 'section A "a"\n  item A.1 "i" base 5\n    deduct 1 for each adopted\n',
    "W503": 'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nevent e\n',
    "W504": HEAD + 'section A "a"\n  item A.1 "i"\n    award 3\n    grade by score: 合格 when >= 60, 优秀 when >= 90, 不合格 otherwise\n',
    "E101-full-width": HEAD
    + 'section A "a"\n  item A.1 "i"\n    award 2 for each adopted where outlet in (daily_provincial， city_express)\n',
    "E320": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    deduct 1 when adoption_rat < 30%\nlet adoption_rate = count adopted / 10\n',
    "E320-condition-where": HEAD
    + "event milestone\n  field task: one of a | b\n"
    + 'section A "a"\n  item A.1 "i"\n    award 10 when reached milestone where task = a and task = b\n',
    "E320-rank": HEAD + KIND + 'status "advances" when rank <= 2\nsection A "a"\n  item A.1 "i"\n    award 1 for each adopted\n',
    "E321": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 5 when count adopted\n',
    "E321-condition-as-value": HEAD + KIND + "let enough = count adopted >= 10\n" + 'section A "a"\n  item A.1 "i"\n    award enough * 2\n',
    "E322": HEAD + KIND + "let required = 40 * months + excess\nlet excess = count adopted - required\n",
    "E323": HEAD
    + "attribute max_points: decimal\nevent deduction\n  field points: decimal\n"
    + 'section A "a"\n  item A.1 "i"\n    deduct sum points of deduction, at most max_points of 指标甲\n',
    "E408": HEAD + "total floor 0\ntotal cap -5\n",
    "E423": HEAD
    + "event commended\nevent instructed\n"
    + 'section A "a"\n  item A.1 "i"\n    bonus 3 for each commended\n    deduct 1 for each instructed\n    bonus for instructed together at most 10\n',
    "E424": HEAD
    + "event commended\nevent instructed\n"
    + 'section A "a"\n  item A.1 "i"\n    bonus 3 for each commended\n    bonus 4 for each instructed\n'
    + "    bonus together at most 10\n    bonus for instructed together at most 6\n",
    "E425": HEAD
    + 'group g\n  unit "A"\n  unit "B"\nevent adopted\n'
    + 'section A "a"\n  item R "r"\n    bonus by rank of count adopted: 1 10, 2 8, 2 6, otherwise 0\n',
    "E411": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 1 for each adopted\n    cap 5\n    floor 10\n',
    "E426": HEAD
    + 'group g\n  unit "A"\n  unit "B"\nevent complaint\n  field code: text\n'
    + 'section A "a"\n  item R "r"\n    scored per code of complaint, taking the sum\n    bonus by rank of count complaint: 1 10\n',
    "E420": HEAD
    + KIND
    + "let excess = count adopted / 100 - 1\n"
    + 'section A "a"\n  item A.1 "i"\n    bonus 1 for each full 0% of excess beyond 30%\n',
    "E421": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 10 when count adopted >= 3, at most 10 a month\n',
    "E422": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    deduct 5 when months without adopted in the last 90 days > 0\n',
    "W520": HEAD + KIND + "event submitted\n" + 'section A "a"\n  item A.1 "i"\n    deduct 1 when count adopted / count submitted < 30%\n',
    "E306": HEAD + 'attribute kind: one of website | county\ngroup g\n  unit "W1" with knd website\n',
    "E307": HEAD + 'attribute kind: one of website | county\ngroup g\n  unit "W1" with kind webiste\n',
    "E307-missing": HEAD + 'attribute kind: one of website | county\ngroup g\n  unit "W1"\n',
    "E430": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award 5\n  item A.2 "j"\n    bonus 1 when score of A.3 > 4\n',
    "E431": HEAD
    + KIND
    + 'section A "a"\n  item A.1 "i"\n    award 5\n    only when score of A.2 > 0\n  item A.2 "j"\n    award 1\n    only when score of A.1 > 0\n',
    "E431-total-is": HEAD + KIND + "total is 80% * total + 20% * count adopted\n" + 'section A "a"\n  item A.1 "i"\n    award 5\n',
    "E432": HEAD + KIND + "veto when count adopted > 3: grade 不合格\n",
    "E432-members": HEAD + KIND + "veto when any member vetoed: score 59\n",
    "W522": HEAD
    + "attribute indicator_max: table of decimal, optional\nevent deduction\n  field points: decimal\n"
    + 'section A "a"\n  item A.1 "i"\n    deduct sum points of deduction, at most indicator_max of 指标甲\n',
    "W521": HEAD + KIND + 'section A "a"\n  item A.1 "i"\n    award for each adopted by outlet: daily_provincial 2\n',
    "W502": HEAD
    + KIND
    + 'section A "a"\n  item A.1 "i"\n    award 1 for each adopted\n    award 2 for each adopted where outlet = city_express\n',
}


def render(text):
    _, diagnostics = check_text(text, "t.rubric")
    lines = text.splitlines()
    return "\n".join(d.render(lines) for d in diagnostics) + "\n"


def update_docs(cases):
    """Each `### CODE` section of the language reference shows a rubric and then its rendered diagnostic."""
    path = pathlib.Path(__file__).resolve().parent.parent / "docs" / "language.md"
    first = {}
    for case in cases:
        first.setdefault(case["code"], case)
    sections = path.read_text(encoding="utf-8").split("### ")
    for index, section in enumerate(sections[1:], 1):
        case = first.get(section[:4])
        if case:
            blocks = section.split("```")
            blocks[1] = "\n" + case["rubric"].rstrip() + "\n"
            blocks[3] = "\n" + case["expected"].rstrip() + "\n"
            sections[index] = "```".join(blocks)
    path.write_text("### ".join(sections), encoding="utf-8")


if __name__ == "__main__":
    from rubric_dsl import i18n

    i18n.set_language("en")
    cases = [{"code": code.split("-")[0], "name": code, "rubric": text, "expected": render(text)} for code, text in SNIPPETS.items()]
    out = pathlib.Path(__file__).with_name("cases") / "diagnostics.yaml"
    out.write_text(yaml.safe_dump(cases, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    # the same cases as a clerk reading Simplified Chinese sees them (review the translations in the diff)
    i18n.set_language("zh-Hans")
    chinese = [{**case, "expected": render(case["rubric"])} for case in cases]
    i18n.set_language("en")
    out.with_name("diagnostics.zh-Hans.yaml").write_text(
        yaml.safe_dump(chinese, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
    )
    update_docs(cases)
    for case in cases:
        print(case["expected"])
