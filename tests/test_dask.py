"""rubric_dsl.dask on a real dask.distributed LocalCluster with two worker processes: the scorecard JSON of a
bag, of JSON Lines partitions and of Parquet row groups is the single process's, byte for byte."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

import rubric_dsl

if os.environ.get("CI") == "true":  # CI installs the extra: missing means broken, not skipped
    import dask  # noqa: F401
    import distributed  # noqa: F401
    import pyarrow  # noqa: F401
else:
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")

pytestmark = pytest.mark.dask

ROOT = pathlib.Path(__file__).resolve().parent.parent
INFO = str(ROOT / "rubrics" / "2009_info.rubric")
EVENTS = ROOT / "examples" / "2009_info.events.jsonl"


def card_text(card) -> str:
    data = card.to_json()
    data["excluded_reasons"] = [e.reason_text for e in card.excluded]
    data["problems"] = [p.render() for p in card.problems]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    """The example stream with a re-send and a conflicting copy far from their first copies, and a broken line."""
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    text = (
        "\n".join(
            lines + [json.dumps(first, ensure_ascii=False), json.dumps(dict(first, outlet="province"), ensure_ascii=False), "{broken"]
        )
        + "\n"
    )
    path = tmp_path_factory.mktemp("dask") / "events.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


COMPACT = pytest.mark.parametrize("compact", [True, False], ids=["compact tallies", "tallies of records"])


@COMPACT
def test_jsonl_partitions_on_two_workers_score_as_one_process(client, stream, compact):
    import rubric_dsl.dask as rd

    program = rubric_dsl.load(INFO)
    single = program.finish(program.tally(rubric_dsl.read_events(stream), compact=compact))
    card = rd.score_files(INFO, [str(stream)], blocksize=4096, skip_invalid=True, compact=compact)
    assert card_text(card) == card_text(single)
    assert len(card.problems) == 2  # the broken line and the conflicting copy, placed as one process places them
    workers = {w for w in client.run(os.getpid).values()}
    assert len(workers) == 2 and os.getpid() not in workers


@COMPACT
def test_a_bag_of_events_scores_as_the_list(client, stream, compact):
    import dask.bag as db

    import rubric_dsl.dask as rd

    events = [e for e, _ in rubric_dsl.read_events(stream) if isinstance(e, dict)]
    program = rubric_dsl.load(INFO)
    single = program.finish(program.tally(events, compact=compact))
    card = rd.score_bag(INFO, db.from_sequence(events, npartitions=7), skip_invalid=True, compact=compact)
    assert card_text(card) == card_text(single)


@COMPACT
def test_parquet_row_groups_score_as_the_rows(client, stream, tmp_path, compact):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import rubric_dsl.dask as rd

    events = [e for e, _ in rubric_dsl.read_events(stream) if isinstance(e, dict)]
    path = tmp_path / "events.parquet"
    pq.write_table(pa.Table.from_pylist(events), path, row_group_size=50)
    assert pq.ParquetFile(path).metadata.num_row_groups > 2
    rows = [{k: v for k, v in row.items() if v is not None} for row in pq.read_table(path).to_pylist()]
    program = rubric_dsl.load(INFO)
    single = program.finish(program.tally(rows, path=str(path), compact=compact))
    card = rd.score_files(INFO, [str(path)], skip_invalid=True, compact=compact)
    assert card_text(card) == card_text(single)
    assert card.excluded and all(e.place.startswith(f"{path}[") for e in card.excluded if e.place)


def test_a_line_that_is_not_utf8_stops_the_file_where_one_process_stops(client, tmp_path):
    """A line that is not UTF-8 ends the reading of its file ("the rest of the file was not read"): the
    partitions of that file after it are not scored either, and a file after it is read again (issue 11:
    Dask scored the ranges after the stop, as --jobs did before 93504af). Same scorecard, same stop message."""
    import rubric_dsl.dask as rd

    lines = EVENTS.read_bytes().split(b"\n")
    lines[100] = lines[100].replace(b'"kind"', b'"k\xff": 1, "kind"')
    path = tmp_path / "not_utf8.jsonl"
    path.write_bytes(b"\n".join(lines))
    after = tmp_path / "after.jsonl"  # a second file, read from its start whatever stopped the first
    after.write_bytes(b"\n".join(lines[150:]))
    program = rubric_dsl.load(INFO)
    single = program.finish(program.tally_sources([rubric_dsl.read_events(path), rubric_dsl.read_events(after)], compact=True))
    messages = [p.render() for p in single.problems]
    assert any(f"{path}:101:" in m and "not UTF-8" in m for m in messages)
    for blocksize in (4096, 1 << 20):  # many ranges after the stop, and the whole file in one range
        card = rd.score_files(INFO, [str(path), str(after)], blocksize=blocksize, skip_invalid=True)
        assert card_text(card) == card_text(single)
        assert [p.render() for p in card.problems] == messages
