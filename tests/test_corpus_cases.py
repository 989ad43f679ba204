"""The corpus case converter (examples/corpus/make_corpus_tests.py): committed test files are what it writes,
new cases for a document run against its encoding with one command, and nothing a case expects is dropped."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import pytest

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "corpus"


def _converter():
    spec = importlib.util.spec_from_file_location("make_corpus_tests", CORPUS / "make_corpus_tests.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _converter()


@pytest.mark.parametrize("folder", sorted(make.RUBRICS))
def test_committed_test_files_are_what_the_converter_writes(folder):
    # a case added to cases.json or hand_cases.py without regenerating would otherwise never run
    written = (CORPUS / folder / f"{folder}.test.yaml").read_text(encoding="utf-8")
    assert written == make.committed_text(folder), f"run: python examples/corpus/make_corpus_tests.py ({folder} is stale)"


def _shipped_cases(folder):
    return json.loads((CORPUS / folder / "cases.json").read_text(encoding="utf-8"))


def test_new_cases_run_against_the_encoding_with_one_command(tmp_path, capsys):
    # the document's own cases, as if they were held back: all four pass (C1-C4 of corpus 10)
    cases = tmp_path / "held_back.json"
    cases.write_text(json.dumps(_shipped_cases("10_f1_points")), encoding="utf-8")
    out = tmp_path / "held_back.test.yaml"
    assert make.main(["--cases", str(cases), "--folder", "10_f1_points", "-o", str(out), "--run"]) == 0
    assert "4 passed" in capsys.readouterr().out


def test_a_wrong_expectation_in_a_new_case_fails_the_run(tmp_path, capsys):
    # C1: D1 won R1, 25 points; a case expecting 26 must fail, naming the unit and both numbers
    shipped = _shipped_cases("10_f1_points")
    shipped[0]["expected"]["D1"]["total"] = "26"
    cases = tmp_path / "wrong.json"
    cases.write_text(json.dumps(shipped), encoding="utf-8")
    out = tmp_path / "wrong.test.yaml"
    assert make.main(["--cases", str(cases), "--folder", "10_f1_points", "-o", str(out), "--run"]) == 1
    assert "D1 total: expected 26, got 25" in capsys.readouterr().out


def test_an_expected_key_rubric_test_does_not_know_is_kept_and_fails_the_case(tmp_path, capsys):
    shipped = _shipped_cases("10_f1_points")
    shipped[0]["expected"]["D1"]["points"] = "25"
    cases = tmp_path / "odd.json"
    cases.write_text(json.dumps(shipped), encoding="utf-8")
    out = tmp_path / "odd.test.yaml"
    assert make.main(["--cases", str(cases), "--folder", "10_f1_points", "-o", str(out), "--run"]) == 1
    captured = capsys.readouterr()
    assert "unit `D1` expects `points`, which rubric test does not know" in captured.err
    assert "D1: unknown expect key `points`" in captured.out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda case: case.update(weather="dry"), "unknown key `weather`"),
        (lambda case: case.pop("name"), "a case needs a `name`"),
        (lambda case: case.update(expected=[]), "`expected` maps each unit"),
        (lambda case: case["expected"]["D1"].update(items=["C1"]), "unit `D1` items map item ids"),
    ],
)
def test_a_case_that_is_not_one_stops_the_conversion_naming_it(tmp_path, capsys, change, message):
    shipped = _shipped_cases("10_f1_points")
    change(shipped[0])
    cases = tmp_path / "bad.json"
    cases.write_text(json.dumps(shipped), encoding="utf-8")
    assert make.main(["--cases", str(cases), "--folder", "10_f1_points", "-o", str(tmp_path / "bad.test.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{cases}: case 1" in err and message in err
    assert not (tmp_path / "bad.test.yaml").exists()


def test_broken_json_is_named_with_its_line_and_column(tmp_path, capsys):
    cases = tmp_path / "broken.json"
    cases.write_text('[\n  {"name": "x",\n  }\n]\n', encoding="utf-8")
    assert make.main(["--cases", str(cases), "--folder", "06_zhaoqing_web_2019", "-o", str(tmp_path / "b.test.yaml")]) == 2
    assert f"{cases}:3:3: not JSON" in capsys.readouterr().err


def test_two_cases_with_one_name_are_refused(tmp_path, capsys):
    shipped = _shipped_cases("10_f1_points")
    shipped[1]["name"] = shipped[0]["name"]
    cases = tmp_path / "twice.json"
    cases.write_text(json.dumps(shipped), encoding="utf-8")
    assert make.main(["--cases", str(cases), "--folder", "10_f1_points", "-o", str(tmp_path / "t.test.yaml")]) == 2
    assert "is used twice" in capsys.readouterr().err
