"""Only data errors are event errors: a failure inside generated code is an internal error naming the rubric line (issue 14)."""

import pytest

import rubric_dsl
from rubric_dsl.cli import main

RUBRIC = """rubric "Internal errors"
window 2009-01-01 to 2009-12-31

group towns
  unit "A"

event adopted
  field outlet: one of daily | weekly

section A "News"
  item A.1 "Adopted news"
    award 1 for each adopted where outlet = daily
"""
GOOD = {"id": "e1", "unit": "A", "date": "2009-05-04", "kind": "adopted", "outlet": "daily"}


class BrokenChoices(frozenset):
    """Stands in for a code-generation bug: a constant that fails when the handler uses it."""

    def __contains__(self, value):
        raise TypeError("unhashable type: 'Broken'")


def broken_program():
    program = rubric_dsl.loads(RUBRIC, "towns.rubric")
    # the enum's choices: the constant the `field outlet` line's check tests membership in
    name = next(k for k, v in program.code.constants.items() if v == frozenset({"daily", "weekly"}))
    program.code.constants[name] = BrokenChoices(program.code.constants[name])
    return program


@pytest.mark.parametrize("compact", [False, True], ids=["records", "compact (the fused loop)"])
def test_a_failure_in_generated_code_is_an_internal_error_naming_the_rubric_line(compact):
    program = broken_program()
    assert program.compactable
    with pytest.raises(rubric_dsl.InternalError) as caught:
        program.tally([GOOD], compact=compact)
    error = caught.value
    assert isinstance(error, rubric_dsl.RubricDSLError)
    assert (error.rubric_path, error.line) == ("towns.rubric", 8)  # `field outlet: …`, whose check failed
    text = str(error)
    assert text.startswith("towns.rubric:8:3: internal error: scoring the event at <events>[0] failed")
    assert "TypeError: unhashable type: 'Broken'" in text
    assert "This is a bug in rubric_dsl, not in the rubric or the events. Please report it" in text


@pytest.mark.parametrize("compact", [False, True], ids=["records", "compact (the fused loop)"])
def test_the_same_event_with_a_list_is_still_an_event_error(compact):
    tally = rubric_dsl.loads(RUBRIC, "towns.rubric").tally([{**GOOD, "outlet": ["daily"]}], compact=compact)
    assert [p.message for p in tally.problems] == ["`outlet` holds a list; it takes a single value"]


def test_cli_reports_an_internal_error_without_a_traceback(tmp_path, monkeypatch, capsys):
    rubric = tmp_path / "towns.rubric"
    rubric.write_text(RUBRIC, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text('{"id": "e1", "unit": "A", "date": "2009-05-04", "kind": "adopted", "outlet": "daily"}\n', encoding="utf-8")
    monkeypatch.setattr("rubric_dsl.cli.load", lambda path: broken_program())
    assert main(["score", str(rubric), str(events)]) == 2
    err = capsys.readouterr().err
    assert "towns.rubric:8:3: internal error" in err and "Traceback" not in err


def test_every_generated_line_maps_to_a_rubric_line():
    program = rubric_dsl.load("rubrics/2009_info.rubric")
    lines = program.generated_source.splitlines()
    assert len(program.code.spans) == len(lines)
    assert all(span.line > 0 for text, span in zip(lines, program.code.spans) if text.strip())
