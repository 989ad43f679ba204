"""Extracts the messages marked `_(…)`/`N_(…)` in rubric_dsl/, updates the Simplified catalogue (the one
written by hand), derives the Traditional one from it with OpenCC, and compiles both to the `.mo` files
the package ships.

    python tools/make_catalogues.py          # then translate the empty msgstr lines it reports, and run again

Messages no longer in the code are dropped from the catalogue; a new message gets an empty translation,
which tests/test_i18n.py refuses.
"""

from __future__ import annotations

import datetime
import io
import pathlib
import sys

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rubric_dsl"
LOCALE = PACKAGE / "locale"
DOMAIN = "rubric_dsl"
SOURCE_LANGUAGE = "zh_Hans"  # written by hand
DERIVED = {"zh_Hant": "s2t"}  # derived from the source with OpenCC (character conversion: mainland terms kept)
KEYWORDS = {"_": None, "N_": None}
FIXED_DATE = datetime.datetime(2009, 4, 16, tzinfo=datetime.UTC)  # the seed document's date


def po_path(folder: str) -> pathlib.Path:
    return LOCALE / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(folder: str) -> pathlib.Path:
    return LOCALE / folder / "LC_MESSAGES" / f"{DOMAIN}.mo"


def extract() -> dict[str, list[str]]:
    """Every marked message in the package → the places it is used (`path:line`)."""
    found: dict[str, list[str]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        if isinstance(message, tuple):  # plural forms are not used: Chinese has none and English says it otherwise
            message = message[0]
        if message:
            found.setdefault(message, []).append(f"rubric_dsl/{filename}:{line}")
    return found


def read(folder: str) -> Catalog:
    path = po_path(folder)
    if not path.exists():
        return Catalog(locale=folder, domain=DOMAIN)
    with path.open("rb") as handle:
        return read_po(handle, locale=folder, domain=DOMAIN)


def updated_source(messages: dict[str, list[str]]) -> Catalog:
    """The source catalogue with exactly the code's messages: translations kept, new ones empty, old ones gone."""
    old = read(SOURCE_LANGUAGE)
    catalog = Catalog(locale=SOURCE_LANGUAGE, domain=DOMAIN, project="rubric_dsl", charset="utf-8", fuzzy=False)
    for message in sorted(messages):
        previous = old.get(message)
        catalog.add(message, previous.string if previous is not None else "", locations=())
    return catalog


def derived(source: Catalog, folder: str, config: str) -> Catalog:
    import opencc

    convert = opencc.OpenCC(config).convert
    catalog = Catalog(locale=folder, domain=DOMAIN, project="rubric_dsl", charset="utf-8", fuzzy=False)
    for message in source:
        if message.id:
            catalog.add(message.id, convert(message.string) if message.string else "", locations=())
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=True, ignore_obsolete=True, include_lineno=False)
    return _stable(buffer.getvalue())


def mo_bytes(po: bytes, folder: str) -> bytes:
    """The compiled catalogue of a .po file's bytes (compiled from the text, so the .mo is the .po read back)."""
    catalog = read_po(io.BytesIO(po), locale=folder, domain=DOMAIN)
    # Babel fills dates missing from the .po with "now", and they go into the .mo's header: fix them,
    # so that compiling the same .po twice gives the same bytes
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _stable(po: bytes) -> bytes:
    """Drop the header lines that change on every run (dates, generator version), so the files only change with the messages."""
    keep = [
        line
        for line in po.splitlines(keepends=True)
        if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date', b'"Generated-By', b"# FIRST AUTHOR", b"# Copyright"))
    ]
    return b"".join(keep)


def catalogues(messages=None) -> dict[str, Catalog]:
    """The catalogues as the code wants them now: folder → Catalog."""
    messages = extract() if messages is None else messages
    source = updated_source(messages)
    result = {SOURCE_LANGUAGE: source}
    for folder, config in DERIVED.items():
        result[folder] = derived(source, folder, config)
    return result


def main() -> int:
    wanted = catalogues()
    for folder, catalog in wanted.items():
        po_path(folder).parent.mkdir(parents=True, exist_ok=True)
        po = po_bytes(catalog)
        po_path(folder).write_bytes(po)
        mo_path(folder).write_bytes(mo_bytes(po, folder))
    missing = [m.id for m in wanted[SOURCE_LANGUAGE] if m.id and not m.string]
    for message in missing:
        print(f"untranslated: {message!r}", file=sys.stderr)
    print(
        f"{sum(1 for m in wanted[SOURCE_LANGUAGE] if m.id)} messages; {len(missing)} untranslated in {po_path(SOURCE_LANGUAGE).relative_to(ROOT)}"
    )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
