"""Ranking: positions by total, best first, ties sharing a rank (1, 2, 2, 4); the one definition scorecards and bulletins use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def shared_ranks(entries: Iterable[T], total: Callable[[T], Decimal], name: Callable[[T], str]) -> list[tuple[int, T]]:
    """(rank, entry) best total first (then by name); equal totals share the better rank ("1224" ranking)."""
    return ranked_by(entries, lambda e: (-total(e),), name)


def ranked_by(entries: Iterable[T], key: Callable[[T], tuple[Any, ...]], name: Callable[[T], str]) -> list[tuple[int, T]]:
    """(rank, entry) by `key`, smaller first (then by name); entries with equal keys share the better rank.
    A rubric's `rank by total, then countback …` gives the key: every tie-break is a later element."""
    ordered = sorted(entries, key=lambda e: (key(e), name(e)))
    ranked: list[tuple[int, T]] = []
    previous_key: tuple[Any, ...] | None = None
    previous_rank = 0
    for position, entry in enumerate(ordered, 1):
        rank = previous_rank if key(entry) == previous_key else position
        previous_key, previous_rank = key(entry), rank
        ranked.append((rank, entry))
    return ranked
