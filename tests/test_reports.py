"""Bulletins: every number in every format equals the scorecard's (XLSX read back, HTML parsed, a screenshot)."""

import csv
import datetime
import html.parser
import io
from decimal import Decimal

import pytest

import rubric_dsl
from rubric_dsl.outputs.reports import build_bulletin, find_chromium, screenshot, to_csv, to_html, to_markdown, to_xlsx

from .conftest import ROOT

INFO_EVENTS = str(ROOT / "examples" / "2009_info.events.jsonl")


@pytest.fixture(scope="module")
def info_tally(info):
    return info.tally(rubric_dsl.read_events(INFO_EVENTS))


@pytest.fixture(scope="module")
def june(info, info_tally):
    return build_bulletin(info, info_tally, datetime.date(2009, 6, 30))


@pytest.fixture(scope="module")
def year(info, info_tally):
    return build_bulletin(info, info_tally, None)


def test_monthly_numbers_equal_the_scorecards(info, info_tally, june):
    card = info.finish(info_tally, datetime.date(2009, 6, 30))
    may = info.finish(info_tally, datetime.date(2009, 5, 31))
    for _, rows in june.groups:
        for row in rows:
            unit = card.unit(row.unit)
            assert row.total == unit.total
            assert row.this_month == unit.total - may.unit(row.unit).total
            assert row.behind_pace == (unit.completion < Decimal(3) / Decimal(9))  # A.4.6: June is month 3 of 9


def test_commendation_is_completion_at_least_100(info, info_tally, year):
    card = info.finish(info_tally)
    # best total first, then by name (the commended list is in rank order)
    expected = [u.unit for u in sorted(card.units, key=lambda u: (-u.total, u.unit)) if u.listed and u.completion >= 1]
    assert list(year.commended) == expected and expected


def test_xlsx_reads_back_as_numbers(year, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "year.xlsx"
    to_xlsx(year, str(path))
    workbook = load_workbook(path)
    assert workbook.sheetnames[:3] == ["縣(市、區)", "市級部門", "市政府駐外辦事處"]
    sheet = workbook["縣(市、區)"]
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    rows = {r[headers.index("unit")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    for row in year.groups[0][1]:
        cells = rows[row.unit]
        assert isinstance(cells[headers.index("score")], float)
        assert Decimal(str(cells[headers.index("score")])) == row.total
        assert cells[headers.index("target")] == 150


class _Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self.svg_rects = [], None, None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "rect":
            self.svg_rects += 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr":
            self.rows.append(self._row)


def test_html_numbers_and_chart(june):
    parser = _Cells()
    parser.feed(to_html(june))
    by_unit = {r[2]: r for r in parser.rows if r and len(r) > 4 and r[0] != "rank"}
    for _, rows in june.groups:
        for row in rows:
            assert Decimal(by_unit[row.unit][4]) == row.total
    assert parser.svg_rects == sum(len(rows) for _, rows in june.groups)


def test_markdown_and_csv_numbers(year):
    text = to_markdown(year)
    reader = list(csv.DictReader(io.StringIO(to_csv(year))))
    for _, rows in year.groups:
        for row in rows:
            assert f"| {row.unit} | {row.total:.2f} |" in text
            assert Decimal(next(r for r in reader if r["unit"] == row.unit)["score"]) == row.total


def test_informatization_report_names_who_answers_for_lost_points(informatization):
    tally = informatization.tally(rubric_dsl.read_events(str(ROOT / "examples" / "2009_informatization.events.jsonl")))
    bulletin = build_bulletin(informatization, tally, None)
    text = to_markdown(bulletin)
    lines = {i.item_id: i for i in bulletin.items}
    assert lines["B.2.1.3"].lost == 3  # three dead links in the example stream
    assert "- B.2.1.3 網頁設計與日常監測: 3.00 lost — 市政府信息公開管理中心、市信息產業局" in text
    card = informatization.finish(tally)
    assert sum(section[3] for section in bulletin.sections) == card.total("達州市")  # sections add up to the total
    assert [section[0] for section in bulletin.sections] == ["B.1", "B.2", "B.3", "B.4"]
    assert "<li>B.2.1.3 網頁設計與日常監測: 3.00 lost — 市政府信息公開管理中心、市信息產業局</li>" in to_html(bulletin)


CHROMIUM = find_chromium()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it")
def test_chinese_html_bulletin_renders_in_headless_chromium(info, info_tally, tmp_path):
    """The HTML bulletin in Simplified Chinese, as the office reads it: red header, title, tables."""
    from PIL import Image

    from rubric_dsl import i18n

    i18n.set_language("zh-Hans")
    try:
        page_text = to_html(build_bulletin(info, info_tally, datetime.date(2009, 6, 30)))
    finally:
        i18n.set_language("en")
    assert '<html lang="zh-Hans">' in page_text
    assert "<h1>关于2009年6月份全市政务信息工作情况的通报</h1>" in page_text
    assert '<div class="office">达州市人民政府办公室</div>' in page_text
    page = tmp_path / "june.html"
    page.write_text(page_text, encoding="utf-8")
    shot = tmp_path / "june.png"
    screenshot(page, shot, 1100, 1400)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 24)
    assert sum(count for count, (r, g, b) in colours if r > 150 and g < 80 and b < 80) > 500  # the red header and bars


# ---- bulletin ranks honour `rank within` (issue 9) -----------------------------------------------------

WITHIN_KIND = """rubric "ranks within a kind"
window 2024-01-01 to 2024-12-31
bulletin monthly, yearly
attribute kind: one of site | account
group all "all units"
  unit "A1" with kind site
  unit "A2" with kind site
  unit "B1" with kind account
  unit "B2" with kind account
event point
rank within kind by total
section S "s"
  item P "points"
    award 1 for each point
"""


def test_bulletin_ranks_within_the_declared_attribute():
    # `rank within kind by total`: sites A1 10 and A2 5 rank 1 and 2 among sites; accounts B1 7 and B2 3 rank 1 and 2
    # among accounts. Ranked across the group instead, they would be A1 1, B1 2, A2 3, B2 4. The June bulletin shows
    # the ranks within each kind, and May's (A1 4, A2 5: A2 first among sites then; B1 2, B2 0) for the change.
    program = rubric_dsl.loads(WITHIN_KIND, "within.rubric")

    def points(unit, count, month):
        return {"id": f"{unit}-{month}", "unit": unit, "date": f"2024-{month:02d}-10", "kind": "point", "quantity": count}

    events = [points("A1", 4, 5), points("A1", 6, 6), points("A2", 5, 5), points("B1", 2, 5), points("B1", 5, 6), points("B2", 3, 6)]
    bulletin = build_bulletin(program, program.tally(events), datetime.date(2024, 6, 30))
    ((_label, rows),) = bulletin.groups
    assert {r.unit: (r.total, r.rank, r.previous_rank) for r in rows} == {
        "A1": (10, 1, 2),  # May: A1 4 < A2 5, second among sites
        "A2": (5, 2, 1),
        "B1": (7, 1, 1),
        "B2": (3, 2, 2),  # May: B2 0 < B1 2
    }
