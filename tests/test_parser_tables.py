"""The parser's shipped tables: in step with the grammar, and no cache file is ever loaded (issue 10, parser cache)."""

import os
import pickle
import subprocess
import sys

from rubric_dsl.language.parser import _shipped_tables, build_tables, grammar_digest


def test_shipped_tables_match_the_grammar():
    # If this fails, the grammar changed: run `python tools/make_parser_tables.py`.
    shipped = _shipped_tables()
    assert shipped is not None, "parser_tables.json is out of date: run python tools/make_parser_tables.py"
    assert shipped["digest"] == grammar_digest()
    assert shipped["data"]["parser"] is not None and build_tables()["digest"] == shipped["digest"]


class _Planted:
    """Unpickling this writes a marker file: proof that a planted cache ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_planted_pickle_in_the_cache_folder_never_runs(tmp_path):
    cache = tmp_path / "cache"
    folder = cache / "rubric_dsl"
    folder.mkdir(parents=True)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Planted(str(marker)))
    # Every name the 0.1 cache used (grammar-<digest>.lark-cache) and any other file a loader might try.
    for name in [f"grammar-{grammar_digest()[:16]}.lark-cache", "grammar.lark-cache", "parser.pickle", "tables.json"]:
        (folder / name).write_bytes(payload)
    (tmp_path / "ok.rubric").write_text('rubric "x"\nwindow 2009-01-01 to 2009-12-31\n', encoding="utf-8")
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "rubric_dsl", "check", str(tmp_path / "ok.rubric")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"grammar-{grammar_digest()[:16]}.lark-cache", "grammar.lark-cache", "parser.pickle", "tables.json"]
    )
