"""Every clause of both seed rubrics, worked by hand: the cases in rubrics/*.test.yaml, plus boundaries."""

from decimal import Decimal

import pytest

import rubric_dsl
from rubric_dsl.testing import load_cases, run_case

from .conftest import RUBRICS


def _cases():
    # the seed rubrics, and the other city's example rubric (a new document is a new file, not new code)
    for path in sorted(RUBRICS.glob("*.test.yaml")) + sorted((RUBRICS.parent / "examples").rglob("*.test.yaml")):
        rubric_path, cases = load_cases(path)
        for case in cases:
            yield pytest.param(rubric_path, case, path, id=f"{path.stem}::{case['name']}")


@pytest.mark.parametrize("rubric_path,case,path", list(_cases()))
def test_rubric_case(rubric_path, case, path):
    program = rubric_dsl.load(rubric_path)
    failures, _ = run_case(program, case, path.parent)
    assert failures == []


def city(events):
    return [dict(e, unit="達州市") for e in events]


def interviews(n_principal, extra_submitted=0):
    events = [{"id": "o", "date": "2009-05-01", "kind": "online_interview", "role": "principal", "quantity": n_principal}]
    if extra_submitted:
        events.append({"id": "s", "date": "2009-05-01", "kind": "portal_adoption", "type": "submitted", "quantity": extra_submitted})
    return city(events)


@pytest.mark.parametrize(
    "principal,submitted,raw,item",
    [
        (4, 59, 299, "9.97"),  # B.2.2: 10 × 299/300 = 9.966…
        (5, 0, 300, "10.00"),  # B.2.2: exactly the full 10
        (5, 1, 301, "10.03"),  # B.2.2: 10 + 10 × 1/300
        (15, 0, 900, "30.00"),  # B.2.2: 10 + extra 20 (the cap)
        (15, 1, 901, "30.00"),  # B.2.2: the extra stays capped at 20
    ],
)
def test_b22_scale_boundaries(informatization, principal, submitted, raw, item):
    card = informatization.score(interviews(principal, submitted))
    unit = card.unit("達州市")
    assert sum(p.score for p in unit.item("B.2.2").parts) == raw
    assert str(unit.item("B.2.2").score) == item


def test_b22_three_crawled_make_exactly_point_three(informatization):
    # B.2.2.4: 0.1 × 3 is 0.3 exactly, not 0.30000000000000004
    card = informatization.score(city([{"id": "c", "date": "2009-05-01", "kind": "portal_adoption", "type": "crawled", "quantity": 3}]))
    assert card.unit("達州市").item("B.2.2.4").raw == Decimal("0.3")


@pytest.mark.parametrize("links,deduction,capped", [(5, 5, False), (6, 5, True)])
def test_b213_dead_link_deduction_caps_at_five(informatization, links, deduction, capped):
    events = city(
        [
            {"id": "q", "date": "2009-02-01", "kind": "milestone", "task": "site_quality"},
            {"id": "k", "date": "2009-03-01", "kind": "dead_link", "quantity": links},
        ]
    )
    item = informatization.score(events).unit("達州市").item("B.2.1.3")
    assert item.deduction == deduction
    assert item.score == 0
    assert bool(item.limits) is capped
    if capped:
        assert item.limits[0] == "6 dead_link found; deduction capped at 5 (uncapped 6)"


@pytest.mark.parametrize("month_total,points", [(99, 0), (100, 80)])
def test_b221_month_with_99_vs_100(informatization, month_total, points):
    events = city(
        [
            {"id": f"p{m}", "date": f"2009-{m:02d}-10", "kind": "portal_submission", "quantity": month_total if m == 7 else 100}
            for m in range(1, 13)
        ]
    )
    assert informatization.score(events).unit("達州市").item("B.2.2.1").score == points


def test_b221_prorated_variant_expresses_other_reading():
    # B.2.2.1 prorated: 80 × 11/12 = 73.333… → 73.33
    program = rubric_dsl.load(RUBRICS.parent / "examples" / "2009_informatization_prorated.rubric")
    events = city(
        [{"id": f"p{m}", "date": f"2009-{m:02d}-10", "kind": "portal_submission", "quantity": 99 if m == 7 else 100} for m in range(1, 13)]
    )
    assert str(program.score(events).unit("達州市").item("B.2.2.1").score) == "73.33"


def test_informatization_bases_add_to_100(informatization):
    assert sum(s.base.value for s in informatization.rubric.sections) == 100


def test_info_rubric_has_all_55_units_with_seed_targets(info):
    units = {u.name: u.target.value for u in info.rubric.units}
    assert len(units) == 55
    assert units["通川區"] == 150 and units["市發展改革委"] == 30 and units["市扶貧辦"] == 15
    assert units["市經委"] == 20 and units["市政府駐重慶辦事處"] == 30
    assert sum(1 for t in units.values() if t == 20) == 33


def test_targeted_units_appear_with_zero(info):
    card = info.score([])
    assert len(card.units) == 55
    assert all(u.total == 0 for u in card.units)
    assert card.unit("市政府駐成都辦事處").target == 30


SEED = (RUBRICS.parent / "docs" / "source" / "2009-dazhou-assessment-methods.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["2009_info.rubric", "2009_informatization.rubric"])
def test_quoted_text_is_verbatim_from_the_source(name):
    rubric = rubric_dsl.load(RUBRICS / name).rubric
    assert [i.item_id for i in rubric.all_items() if not i.text or i.text not in SEED] == []
    assert [c.clause_id for c, _ in rubric.clauses if c.text not in SEED] == []
    assert [u.name for u in rubric.units if u.name not in SEED] == []  # byte for byte, Traditional characters


def test_prorated_variant_differs_from_the_shipped_rubric_in_one_rule_only():
    shipped = rubric_dsl.load(RUBRICS / "2009_informatization.rubric").rubric
    variant = rubric_dsl.load(RUBRICS.parent / "examples" / "2009_informatization_prorated.rubric").rubric
    differing = [(a.item_id, a.rules, b.rules) for a, b in zip(shipped.all_items(), variant.all_items()) if a.rules != b.rules]
    assert [d[0] for d in differing] == ["B.2.2.1"]
