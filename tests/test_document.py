"""The formal 通報 (issue 12): DOCX read back with python-docx, PDF rendered to PNG, the same chart everywhere."""

import datetime
import re
import shutil
import subprocess
from decimal import Decimal

import docx
import opencc
import pytest

import rubric_dsl
from rubric_dsl import i18n
from rubric_dsl.cli import main
from rubric_dsl.outputs import document as document_module
from rubric_dsl.outputs.chart import to_png
from rubric_dsl.outputs.reports import build_bulletin, chart_of, to_html

from .conftest import ROOT

RUBRIC = str(ROOT / "rubrics" / "2009_info.rubric")
EVENTS = str(ROOT / "examples" / "2009_info.events.jsonl")
TO_SIMPLIFIED = opencc.OpenCC("t2s").convert
JUNE, MAY = datetime.date(2009, 6, 30), datetime.date(2009, 5, 31)


@pytest.fixture(scope="module")
def june_docx(tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "june.docx"
    code = main(["report", RUBRIC, EVENTS, "--month", "2009-06", "--lang", "zh-Hans", "--format", "docx", "-o", str(path)])
    assert code == 0
    return docx.Document(str(path))


@pytest.fixture(scope="module")
def cards(info):
    tally = info.tally(rubric_dsl.read_events(EVENTS))
    return info.finish(tally, JUNE), info.finish(tally, MAY)


def texts(document):
    paragraphs = [p.text for p in document.paragraphs]
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    return paragraphs, cells


def test_docx_title_header_and_signature(june_docx):
    paragraphs, _ = texts(june_docx)
    assert paragraphs[0] == "达州市人民政府办公室"  # the red header: the rubric's `office`, in Simplified
    assert june_docx.paragraphs[0].runs[0].font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0)
    assert paragraphs[1] == "达市府办信〔2009〕6号\t2009年7月1日"  # number pattern with {year}, {number} = the month; issued the day after
    assert "关于2009年6月份全市政务信息工作情况的通报" in paragraphs[2:4]
    assert paragraphs[-2:] == ["达州市人民政府办公室", "二〇〇九年七月一日"]


def test_docx_summary_numbers_come_from_the_scorecard(june_docx, cards):
    """A.4.6 monthly bulletin: the pace line in June is 3 of the window's 9 months (April–December)."""
    june, may = cards
    paragraphs, _ = texts(june_docx)
    listed = [u for u in june.units if u.listed]
    pace = Decimal(3) / Decimal(9)
    reached = sum(1 for u in listed if u.completion >= pace)
    silent = [u.unit for u in listed if u.total == may.unit(u.unit).total]
    opening = next(p for p in paragraphs if p.startswith("根据《"))
    assert f"全市{len(listed)}个下达目标任务单位" in opening and len(listed) == 55
    assert f"按时间进度（33.3%）衡量，{reached}个单位达到时间进度要求，{len(listed) - reached}个单位滞后于时间进度" in opening
    no_score = next(p for p in paragraphs if p.startswith("本月未得分的单位"))
    assert no_score.startswith(f"本月未得分的单位（{len(silent)}个）：")
    assert set(no_score.split("：", 1)[1].rstrip("。").split("、")) == {TO_SIMPLIFIED(u) for u in silent}
    leaders = next(p for p in paragraphs if p.startswith("排名靠前的单位"))
    counties = sorted((u for u in listed if u.group == "counties"), key=lambda u: -u.total)[:3]
    assert "县(市、区)为" + "、".join(TO_SIMPLIFIED(u.unit) for u in counties) in leaders


def test_docx_has_every_unit_row(june_docx, cards):
    june, may = cards
    _, cells = texts(june_docx)
    rows = {row[2]: row for row in cells if len(row) == 8 and row[0] != "排名"}
    listed = [u for u in june.units if u.listed]
    assert len(rows) == len(listed)
    for unit in listed:
        row = rows[TO_SIMPLIFIED(unit.unit)]
        assert Decimal(row[4]) == unit.total  # 累计得分
        assert Decimal(row[3]) == unit.total - may.unit(unit.unit).total  # 本月得分
        assert Decimal(row[5]) == unit.target
    headers = next(row for row in cells if row[0] == "排名")
    assert headers == ["排名", "较上月", "单位", "本月得分", "累计得分", "目标任务", "完成率(%)", "时间进度"]
    # units without a target are listed apart (A.4.5b)
    apart = [row for row in cells if len(row) == 2 and row[0] != "单位"]
    assert apart == [["市信息产业局", f"{june.unit('市信息產業局').total:.2f}"]]


def test_docx_has_no_english_word(june_docx, cards):
    paragraphs, cells = texts(june_docx)
    text = "\n".join(paragraphs + [c for row in cells for c in row])
    for unit in cards[0].units:  # unit names are the rubric's, whatever they hold
        text = text.replace(TO_SIMPLIFIED(unit.unit), "")
    assert re.findall(r"[A-Za-z]+", text) == []


def test_docx_chart_is_the_html_chart(june_docx, info, cards):
    """One layout, two drawings: the DOCX embeds the PNG of the shapes the HTML draws as SVG."""
    tally = info.tally(rubric_dsl.read_events(EVENTS))
    i18n.set_language("zh-Hans")
    try:
        bulletin = build_bulletin(info, tally, JUNE)
        chart = chart_of(bulletin)
        page = to_html(bulletin)
        png = to_png(chart)
    finally:
        i18n.set_language("en")
    image = june_docx.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert june_docx.part.related_parts[image].blob == png
    bars = [s for s in chart.shapes if type(s).__name__ == "Rect"]
    assert page.count("<rect ") == len(bars) == 55


def test_pdf_without_chromium_is_a_clear_usage_error(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(document_module, "find_chromium", lambda: None)
    code = main(["report", RUBRIC, EVENTS, "--month", "2009-06", "--format", "pdf", "-o", str(tmp_path / "x.pdf")])
    err = capsys.readouterr().err
    assert code == 2
    assert "rubric report: error: a PDF is printed by Chromium, which is not installed" in err
    assert "Traceback" not in err and not (tmp_path / "x.pdf").exists()


def test_docx_and_pdf_need_an_output_path(capsys):
    assert main(["report", RUBRIC, EVENTS, "--month", "2009-06", "--format", "docx"]) == 2
    assert "a DOCX report needs -o PATH" in capsys.readouterr().err


TOOLS = document_module.find_chromium() and shutil.which("pdftoppm")


@pytest.mark.slow
@pytest.mark.skipif(not TOOLS, reason="needs Chromium and pdftoppm (poppler-utils); .ci/run installs both")
def test_pdf_renders_to_pages_that_are_not_blank(tmp_path):
    from PIL import Image

    pdf = tmp_path / "june.pdf"
    assert main(["report", RUBRIC, EVENTS, "--month", "2009-06", "--lang", "zh-Hans", "--format", "pdf", "-o", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    # the header, summary, chart, 55 unit rows in three groups, the unlisted unit and the signature: more than one A4 page
    assert 3 <= len(pages) <= 8
    first = Image.open(pages[0]).convert("RGB")
    colours = first.getcolors(maxcolors=1 << 24)  # (count, (r, g, b)) pairs
    inked = sum(count for count, rgb in colours if sum(rgb) < 600)
    red = sum(count for count, (r, g, b) in colours if r > 150 and g < 80 and b < 80)
    assert inked > first.width * first.height // 200  # text, not an empty page
    assert red > 100  # the red header and rule
