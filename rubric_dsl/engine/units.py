"""Unit names: finding the listed unit an unlisted name probably meant (Simplified form, one-character slip)."""

from __future__ import annotations

import functools


@functools.cache
def _to_simplified():
    # OpenCC's own tables, not a hand-made character list; loaded only when a name is unknown.
    try:
        import opencc
    except ImportError:  # the comparison is advisory; without OpenCC only slips are found
        return None
    return opencc.OpenCC("t2s").convert


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one substitution, insertion or deletion."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class UnitMatcher:
    """Suggests the listed unit an unknown name probably means."""

    def __init__(self, names):
        self.names = list(names)
        self._simplified = None

    def probable(self, name: str):
        """(listed name, reason) or None."""
        if not self.names:
            return None
        convert = _to_simplified()
        if convert is not None:
            if self._simplified is None:
                self._simplified = {convert(listed): listed for listed in self.names}
            simple = convert(name)
            if simple in self._simplified and self._simplified[simple] != name:
                return self._simplified[simple], "the same name in Simplified characters"
            for simple_listed, listed in self._simplified.items():
                if within_one_edit(simple, simple_listed):
                    return listed, "one character differs"
        for listed in self.names:
            if within_one_edit(name, listed):
                return listed, "one character differs"
        return None
