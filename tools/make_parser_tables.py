"""Writes rubric_dsl/language/parser_tables.json, the LALR tables shipped with the package.

Run after every change to grammar.lark (tests/test_parser_tables.py fails until you do):
    python tools/make_parser_tables.py
"""

import json

from rubric_dsl.language.parser import TABLES_PATH, _shipped_tables, build_tables

# Lark numbers states and tokens in an order that varies from run to run, so the same grammar can write
# different bytes: leave tables that already match the grammar alone (no spurious diffs after a rebase).
if _shipped_tables() is not None:
    print(f"{TABLES_PATH} already matches the grammar")
else:
    TABLES_PATH.write_text(json.dumps(build_tables(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {TABLES_PATH}")
