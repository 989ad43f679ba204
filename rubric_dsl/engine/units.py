"""Unit names: the listed unit an event's name stands for (alias, other script), or the one it probably meant."""

from __future__ import annotations

import functools

from ..i18n import _


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


def fold_script(name: str) -> str:
    """The name in Simplified characters: what a Traditional and a Simplified spelling of a name share."""
    convert = _to_simplified()
    return convert(name) if convert is not None else name


# Why an event's name was counted for a listed unit: a contract shared by the engine, explain and JSON.
ALIAS = "alias"
OTHER_SCRIPT = "other_script"


def listed_names(units, fold_scripts: bool) -> dict[str, tuple[str, str]]:
    """Every other name an event may use for a listed unit → (listed name, why).

    Aliases are taken as written; with `fold_scripts`, also the Simplified form of each listed name
    and alias (a Traditional spelling of an alias then folds to it too, see `UnitMatcher.resolve`).
    """
    names: dict[str, tuple[str, str]] = {}
    for unit in units:
        for alias in unit.aliases:
            names.setdefault(alias, (unit.name, ALIAS))
    if fold_scripts:
        for unit in units:
            for name in (unit.name, *unit.aliases):
                names.setdefault(fold_script(name), (unit.name, OTHER_SCRIPT if name == unit.name else ALIAS))
    return names


class UnitMatcher:
    """Suggests the listed unit an unknown name probably means."""

    def __init__(self, names, others=None, fold_scripts: bool = False):
        self.names = list(names)
        self.others: dict[str, tuple[str, str]] = others or {}  # from listed_names
        self.fold_scripts = fold_scripts
        self._simplified: dict[str, str] | None = None

    def resolve(self, name: str) -> tuple[str, str] | None:
        """(listed name, why) when `name` is declared to stand for a listed unit, else None."""
        found = self.others.get(name)
        if found is None and self.fold_scripts:
            found = self.others.get(fold_script(name))
        return found

    def probable(self, name: str) -> tuple[str, str] | None:
        """(listed name, reason) or None."""
        if not self.names:
            return None
        convert = _to_simplified()
        if convert is not None:
            if self._simplified is None:
                self._simplified = {convert(listed): listed for listed in self.names}
            simple = convert(name)
            if simple in self._simplified and self._simplified[simple] != name:
                return self._simplified[simple], _("the same name in Simplified characters")
            for simple_listed, listed in self._simplified.items():
                if within_one_edit(simple, simple_listed):
                    return listed, _("one character differs")
        for listed in self.names:
            if within_one_edit(name, listed):
                return listed, _("one character differs")
        return None
