"""--jobs N: workers tally byte ranges of a JSON Lines file; the scorecard, the ledger and the bulletin are
the same as one process's, problems and warnings included, in the same order."""

from __future__ import annotations

import json
import pathlib

import pytest

import rubric_dsl
from rubric_dsl.cli import main
from rubric_dsl.engine.parallel import byte_ranges, splittable
from rubric_dsl.sources.jsonl import JsonLinesSource

ROOT = pathlib.Path(__file__).resolve().parent.parent
INFO = str(ROOT / "rubrics" / "2009_info.rubric")
EVENTS = ROOT / "examples" / "2009_info.events.jsonl"


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """The example stream with re-sends across its middle (one outside the window), a conflicting copy,
    a broken line, a near-miss unit name and blank lines."""
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    extra = [
        json.dumps(first, ensure_ascii=False),  # a re-send of the first event, far from it
        json.dumps(dict(first, outlet="province"), ensure_ascii=False),  # the same id, other content
        json.dumps({"id": "late", "unit": "通川區", "date": "2010-02-01", "kind": "adopted", "outlet": "picture_news"}),
        json.dumps({"id": "near", "unit": "通川县", "date": "2009-05-02", "kind": "adopted", "outlet": "picture_news"}, ensure_ascii=False),
        "{broken",
        "",
    ]
    middle = len(lines) // 2
    text = "\n".join(lines[:middle] + extra + lines[middle:] + extra[:3]) + "\n"
    path = tmp_path_factory.mktemp("jobs") / "messy.jsonl"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("jobs", ["2", "3", "7"])
def test_score_with_jobs_prints_what_one_process_prints(capsys, messy, jobs):
    one = run(capsys, "score", INFO, messy, "--skip-invalid", "--format", "json")
    many = run(capsys, "score", INFO, messy, "--skip-invalid", "--format", "json", "--jobs", jobs)
    assert many == one
    assert one[0] == 1 and "broken JSON" in one[2] and "re-sent" in one[1]


def test_explain_and_report_with_jobs_match_one_process(capsys, messy):
    for argv in (
        ["explain", INFO, messy, "--unit", "通川區", "--skip-invalid"],
        ["report", INFO, messy, "--month", "2009-06", "--skip-invalid"],
    ):
        assert run(capsys, *argv, "--jobs", "2") == run(capsys, *argv)


def test_two_files_with_jobs_score_as_one_stream(capsys, messy):
    argv = ["score", INFO, str(EVENTS), messy, "--skip-invalid", "--format", "json"]
    assert run(capsys, *argv, "-j", "2") == run(capsys, *argv)


def test_ranges_cover_the_file_and_only_files_are_split(messy):
    assert byte_ranges(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert byte_ranges(2, 5) == [(0, 1), (1, 2)]
    assert splittable(rubric_dsl.read_events(messy))
    assert not splittable(JsonLinesSource("-"))
    assert not splittable(rubric_dsl.read_events(str(ROOT / "examples" / "2009_info.q2.events.csv")))


def test_jobs_must_be_a_count(capsys):
    status, _, err = run(capsys, "score", INFO, str(EVENTS), "--jobs", "many")
    assert status == 2 and "not a number of processes: 'many'" in err


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_line_that_is_not_utf8_stops_every_job_where_one_process_stops(capsys, tmp_path, fmt):
    """A line that is not UTF-8 ends the reading of its file ("the rest of the file was not read"): with
    --jobs the ranges after it are not scored either, so the events after line 101 do not count (found by
    the adversarial pass: --jobs 2 scored the second half of the file that --jobs 1 had stopped before)."""
    lines = EVENTS.read_bytes().split(b"\n")
    lines[100] = lines[100].replace(b'"kind"', b'"k\xff": 1, "kind"')
    path = tmp_path / "not_utf8.jsonl"
    path.write_bytes(b"\n".join(lines))
    head = tmp_path / "head.jsonl"  # the lines before the bad one: what one process scores
    head.write_bytes(b"\n".join(lines[:100]) + b"\n")
    one = run(capsys, "score", INFO, str(path), "--skip-invalid", "--format", fmt)
    assert one[0] == 1 and f"{path}:101: error: this line is not UTF-8 text" in one[2]
    if fmt == "json":
        assert json.loads(one[1])["units"] == json.loads(run(capsys, "score", INFO, str(head), "--format", fmt)[1])["units"]
    for jobs in ("2", "3"):
        assert run(capsys, "score", INFO, str(path), "--skip-invalid", "--format", fmt, "--jobs", jobs) == one


def test_a_file_given_twice_is_read_twice_up_to_its_line_that_is_not_utf8(capsys, tmp_path):
    """One process reads each source given on its own: the same file named twice stops at line 101 both
    times (two "not UTF-8" messages, the second copy's 100 events re-sent). --jobs dropped the whole second
    copy, because it told the file that stopped by its path, not by its place among the sources."""
    lines = EVENTS.read_bytes().split(b"\n")
    lines[100] = lines[100].replace(b'"kind"', b'"k\xff": 1, "kind"')
    path = tmp_path / "not_utf8.jsonl"
    path.write_bytes(b"\n".join(lines))
    one = run(capsys, "score", INFO, str(path), str(path), "--skip-invalid", "--format", "json")
    assert one[2].count(f"{path}:101: error: this line is not UTF-8 text") == 2
    for jobs in ("2", "3"):
        assert run(capsys, "score", INFO, str(path), str(path), "--skip-invalid", "--format", "json", "--jobs", jobs) == one


@pytest.mark.parametrize("folder", ["missing", "none"])
def test_workers_tallies_come_through_the_pipe_when_no_file_can_be_written(capsys, messy, monkeypatch, tmp_path, folder):
    """A worker writes its tally to a private folder in /dev/shm (issue 11: faster than the result pipe);
    where that cannot be done (a full or missing /dev/shm, no temporary folder at all) the tally comes back
    through the pipe, with the same scorecard, and no folder or file is left behind."""
    import contextlib

    from rubric_dsl.engine import parallel

    @contextlib.contextmanager
    def scratch():
        yield str(tmp_path / "gone") if folder == "missing" else ""

    one = run(capsys, "score", INFO, messy, "--skip-invalid", "--format", "json")
    monkeypatch.setattr(parallel, "_scratch", scratch)
    assert run(capsys, "score", INFO, messy, "--skip-invalid", "--format", "json", "--jobs", "2") == one
    assert list(tmp_path.iterdir()) == []


def test_the_workers_folder_is_removed_after_a_run(capsys, messy, monkeypatch, tmp_path):
    from rubric_dsl.engine import parallel

    made = []
    real = parallel.tempfile.mkdtemp

    def mkdtemp(**options):
        made.append(real(**{**options, "dir": str(tmp_path)}))
        return made[-1]

    monkeypatch.setattr(parallel.tempfile, "mkdtemp", mkdtemp)
    status, _out, _err = run(capsys, "score", INFO, messy, "--skip-invalid", "--jobs", "2")
    assert status == 1 and len(made) == 1 and list(tmp_path.iterdir()) == []


def test_two_ranges_with_one_offset_get_files_of_their_own(messy, tmp_path, monkeypatch):
    """A file given twice has two ranges starting at the same byte, which one worker may tally one after
    the other: each tally gets a file of its own, and neither write touches the other's (a name made of
    the worker and the offset made the second write fail and remove the first tally before it was read)."""
    from rubric_dsl.engine import parallel

    monkeypatch.setattr(parallel, "_PROGRAM", rubric_dsl.load(INFO))
    first = parallel._tally_range_to_file(str(tmp_path), messy, 0, 1000, 0, True)
    second = parallel._tally_range_to_file(str(tmp_path), messy, 0, 1000, 5000, True)
    assert isinstance(first[0], str) and isinstance(second[0], str) and first[0] != second[0]
    tallies = [parallel._received(first)[0], parallel._received(second)[0]]
    assert [t.read for t in tallies] == [tallies[0].read, tallies[0].read] and tallies[0].read > 0
    assert list(tmp_path.iterdir()) == []
