"""Writes rubric_dsl/language/parser_tables.json, the LALR tables shipped with the package.

Run after every change to grammar.lark (tests/test_grammar.py fails until you do):
    python tools/make_parser_tables.py
"""

import json

from rubric_dsl.language.parser import TABLES_PATH, build_tables

TABLES_PATH.write_text(json.dumps(build_tables(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
print(f"wrote {TABLES_PATH}")
