"""Scoring on a Dask cluster (optional extra `dask`): a dask.bag of events, or JSON Lines / Parquet files cut
into partitions, tallied where the partitions are, and merged by a tree reduction; one Scorecard comes back.

    from dask.distributed import Client
    import rubric_dsl.dask as rd

    client = Client("scheduler:8786")                      # or a LocalCluster
    card = rd.score_files("rubrics/2009_info.rubric", ["2009-*.jsonl"], as_of=None)
    card = rd.score_bag("rubrics/2009_info.rubric", bag)  # a dask.bag of event dicts

Only tallies travel: a worker gets a file name and a byte range (JSON Lines) or a row group (Parquet),
or a partition of the bag, and returns that partition's tally; tallies merge pairwise in stream order
(`split_every` at a time), so no machine ever holds the events. The merged scorecard is the one a single
process gives for the same stream, in every field (places, re-sends across partitions, exclusions).
Workers compile the rubric themselves, from its text (sent once per task, compiled once per process).
Dask itself is imported when a function here runs, so the module imports (and says what it needs)
without the extra installed.
"""

from __future__ import annotations

import datetime
import functools
import glob
import hashlib
import itertools
import os
import pathlib
from collections.abc import Callable
from typing import Any

import attrs

from .api import loads, with_unit_table
from .engine.compact import AnyTally
from .engine.program import Program
from .engine.results import Scorecard
from .sources.events import EventError
from .sources.jsonl import JsonLinesSource

DEFAULT_BLOCKSIZE = 64 * 1024 * 1024  # bytes of JSON Lines per partition


@attrs.frozen
class RubricRecipe:
    """What a worker needs to compile the rubric: its path (for messages and `units from`), its text and
    an optional unit table (--units). Small and picklable, unlike a compiled Program."""

    path: str
    text: str
    units: str | None = None

    @classmethod
    def of(cls, rubric: str | os.PathLike, units: str | None = None) -> RubricRecipe:
        path = os.fspath(rubric)
        return cls(path, pathlib.Path(path).read_text(encoding="utf-8"), units)

    def program(self) -> Program:
        key = hashlib.blake2b(f"{self.path}\x00{self.text}\x00{self.units}".encode("utf-8", "surrogatepass")).hexdigest()
        program = _PROGRAMS.get(key)
        if program is None:
            program = loads(self.text, self.path)
            if self.units is not None:
                program = with_unit_table(program, self.units, replace=True)
            _PROGRAMS[key] = program
        return program


_PROGRAMS: dict[str, Program] = {}  # per worker process: each rubric compiled once


def _recipe(rubric) -> RubricRecipe:
    return rubric if isinstance(rubric, RubricRecipe) else RubricRecipe.of(rubric)


# ---- partitions → tallies -----------------------------------------------------------------------------


@attrs.frozen
class _Stretch:
    """The tally of consecutive partitions of `tally_files`, kept so that a stop carries across a merge.

    One process stops reading a JSON Lines file at a line that is not UTF-8 ("the rest of the file was not
    read"), so the ranges of that file after the one that stopped must not count. A stretch keeps apart its
    `lead` (the tally of the ranges of its first file) from the `rest`, because the stretch before it may have
    stopped in that same file: then the lead is dropped. Files are told apart by their place in the list
    (`file`), so a file given twice is read twice, as by one process."""

    lead_file: int
    lead: AnyTally
    rest: AnyTally | None  # the ranges after those of the first file, None when the stretch holds one file
    tail_file: int
    tail_stopped: bool  # reading stopped in the last file of the stretch: its later ranges are dropped

    def then(self, later: _Stretch) -> _Stretch:
        """This stretch followed by `later` (merged in stream order)."""
        dropped = self.tail_stopped and later.lead_file == self.tail_file
        later_lead = None if dropped else later.lead
        if self.rest is None and later.lead_file == self.lead_file:
            lead, rest = self.lead if later_lead is None else self.lead.merge(later_lead), later.rest
        else:
            lead, rest = self.lead, _merged(_merged(self.rest, later_lead), later.rest)
        stopped = later.tail_stopped or (later.rest is None and later.lead_file == self.tail_file and self.tail_stopped)
        return _Stretch(self.lead_file, lead, rest, later.tail_file, stopped)

    def tally(self) -> AnyTally:
        return self.lead if self.rest is None else self.lead.merge(self.rest)


def _merged(first: AnyTally | None, second: AnyTally | None) -> AnyTally | None:
    if first is None or second is None:
        return second if first is None else first
    return first.merge(second)


def _tally_jsonl(recipe: RubricRecipe, compact: bool, file: int, path: str, begin: int, end: int, start: int) -> _Stretch:
    source = JsonLinesSource(path, byte_range=(begin, end))
    tally = recipe.program().tally(source, start=start, compact=compact)
    return _Stretch(file, tally, None, file, source.stopped)


def _tally_parquet(recipe: RubricRecipe, compact: bool, file: int, path: str, row_group: int, first_row: int) -> _Stretch:
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(path).read_row_group(row_group).to_pylist()
    # a row's place is `file.parquet[row]`; fields the row leaves empty (null) are absent, as in a JSON object
    events = [{k: v for k, v in row.items() if v is not None} for row in rows]
    return _Stretch(file, recipe.program().tally(events, start=first_row, path=path, compact=compact), None, file, False)


def _tally_events(recipe: RubricRecipe, events: list, start: int, compact: bool) -> AnyTally:
    return recipe.program().tally(events, start=start, compact=compact)


READERS: dict[str, Callable[..., _Stretch]] = {"jsonl": _tally_jsonl, "parquet": _tally_parquet}


def _merge_all(tallies: list) -> AnyTally:
    """A partition's (or a reduction step's) tallies merged, in order."""
    return functools.reduce(lambda merged, tally: merged.merge(tally), tallies)


def _then_all(stretches: list) -> _Stretch:
    """Consecutive stretches joined, in order."""
    return functools.reduce(_Stretch.then, stretches)


def _bags():
    try:
        import dask.bag
    except ImportError as error:  # pragma: no cover - the message is the point
        raise ImportError("rubric_dsl.dask needs the `dask` extra: pip install 'rubric_dsl[dask]'") from error
    return dask.bag


def _reduce(tallies, split_every: int) -> AnyTally:
    """Tree reduction by merge, in stream order (a bag's reduction keeps the partitions' order)."""
    return tallies.reduction(_merge_all, _merge_all, split_every=split_every).compute()


def _expand(paths) -> list[str]:
    names: list[str] = []
    for path in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
        found = sorted(glob.glob(os.fspath(path)))
        names += found or [os.fspath(path)]
    return names


# ---- the public entry points -------------------------------------------------------------------------


def tally_files(rubric, paths, *, blocksize: int = DEFAULT_BLOCKSIZE, split_every: int = 8, compact: bool = True) -> AnyTally:
    """The tally of JSON Lines (`*.jsonl`) and Parquet (`*.parquet`) files as one stream, in the order given
    (globs expanded, sorted). A JSON Lines file is cut into `blocksize` byte ranges that workers read
    themselves; a Parquet file into its row groups. `compact` (the default, when the rubric allows it):
    tallies of a few numbers per event travel to the reduction (see docs/scaling.md), and the scorecard
    has no event-level provenance; `compact=False` keeps records, for explain-level provenance."""
    recipe = _recipe(rubric)
    tasks: list[tuple] = []
    start = 0
    for file, path in enumerate(_expand(paths)):
        if path.endswith(".parquet"):
            import pyarrow.parquet as pq

            metadata = pq.ParquetFile(path).metadata
            row = 0
            for group in range(metadata.num_row_groups):
                tasks.append(("parquet", recipe, compact, file, path, group, row))
                row += metadata.row_group(group).num_rows
            continue
        size = os.path.getsize(path)
        bounds = list(range(0, size, blocksize)) + [size]
        ranges = list(itertools.pairwise(bounds)) or [(0, 0)]
        tasks += [("jsonl", recipe, compact, file, path, a, b, start) for a, b in ranges]
        start += size + 2  # line numbers of the next file start past any this one could have
    if not tasks:
        return recipe.program().tally([], compact=compact)
    # tasks are tagged by name, not by function: dask would run a tuple starting with a function as a task itself
    bag = _bags().from_sequence(tasks, partition_size=1).map(lambda task: READERS[task[0]](*task[1:]))
    stretch = bag.reduction(_then_all, _then_all, split_every=split_every).compute()
    return stretch.tally()


def tally_bag(rubric, events, *, split_every: int = 8, compact: bool = True) -> AnyTally:
    """The tally of a dask.bag of event dicts, in the bag's order (events placed `<events>[i]`, i counted
    across partitions: one pass counts each partition's events, then each partition is tallied where it is).
    `compact`: as for `tally_files`."""
    recipe = _recipe(rubric)
    counts = events.map_partitions(lambda part: [sum(1 for _ in part)]).compute()
    starts = [sum(counts[:index]) for index in range(len(counts))]
    db = _bags()
    offsets = db.from_sequence(starts, npartitions=len(starts))
    tallies = db.map_partitions(lambda part, start: [_tally_events(recipe, list(part), start[0], compact)], events, offsets)
    return _reduce(tallies, split_every)


def score_files(rubric, paths, as_of: datetime.date | None = None, *, skip_invalid: bool = False, **options: Any) -> Scorecard:
    """`tally_files`, finished into a Scorecard (raises EventError on invalid events unless `skip_invalid`)."""
    return _finish(_recipe(rubric), tally_files(rubric, paths, **options), as_of, skip_invalid)


def score_bag(rubric, events, as_of: datetime.date | None = None, *, skip_invalid: bool = False, **options: Any) -> Scorecard:
    """`tally_bag`, finished into a Scorecard (raises EventError on invalid events unless `skip_invalid`)."""
    return _finish(_recipe(rubric), tally_bag(rubric, events, **options), as_of, skip_invalid)


def _finish(recipe: RubricRecipe, tally: AnyTally, as_of, skip_invalid: bool) -> Scorecard:
    if tally.problems and not skip_invalid:
        raise EventError(tally.problems)
    return recipe.program().finish(tally, as_of)


__all__ = ["RubricRecipe", "score_bag", "score_files", "tally_bag", "tally_files"]
