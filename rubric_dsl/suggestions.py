""" "Did you mean …?": the one way a misspelt name (kind, field, value, unit, item) finds what was probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# How alike a name must be to be suggested (difflib's ratio). One cutoff everywhere, so the same
# slip gets the same help from `check`, from event validation and from the command line.
CUTOFF = 0.6


def closest(name: object, choices: Iterable[object]) -> str | None:
    """The choice `name` was probably meant to be, or None."""
    texts = [str(c) for c in choices]
    match = difflib.get_close_matches(str(name), texts, n=1, cutoff=CUTOFF)
    return match[0] if match else None
