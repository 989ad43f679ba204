"""Ranking: positions by total, best first, ties sharing a rank (1, 2, 2, 4); the one definition scorecards and bulletins use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")


def shared_ranks(entries: Iterable[T], total: Callable[[T], Decimal], name: Callable[[T], str]) -> list[tuple[int, T]]:
    """(rank, entry) best total first (then by name); equal totals share the better rank ("1224" ranking)."""
    ordered = sorted(entries, key=lambda e: (-total(e), name(e)))
    ranked: list[tuple[int, T]] = []
    previous_total: Decimal | None = None
    previous_rank = 0
    for position, entry in enumerate(ordered, 1):
        rank = previous_rank if total(entry) == previous_total else position
        previous_total, previous_rank = total(entry), rank
        ranked.append((rank, entry))
    return ranked
