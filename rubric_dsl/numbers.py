"""Numbers as people read them: the one place points, targets and percentages become text, rounding as the rubric rounds."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import overload

# `precision N rounding MODE` in a rubric → the decimal module's rounding constant.
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
DEFAULT_ROUNDING = ROUND_HALF_UP  # what a rubric rounds with unless it says otherwise

# The decimal context of scoring. Event numbers (runtime.py) and rubric numbers (E104) are bounded so
# that every product and sum of points needs far fewer than 100 digits: they are exact. A quotient
# (a scale's conversion, a share of months) is rounded here at 100 digits and then to the rubric's
# precision; with denominators this small, 100 digits always decide that rounding as exact arithmetic would.
EXACT = Context(prec=100, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow])


def plain(value: object) -> str:
    """A number as written: 0.3, 10, 2.5 (no exponent, no trailing zeros); anything else as str()."""
    if isinstance(value, Decimal):
        return format(value.normalize(EXACT), "f")
    return str(value)


def shown(value: object) -> str:
    """A value in a message: numbers plainly (0.3, 10), true/false for booleans, anything else as str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return plain(value)


@overload
def fmt_decimal(value: Decimal, places: int | None, rounding: str = ...) -> str: ...
@overload
def fmt_decimal(value: None, places: int | None, rounding: str = ...) -> None: ...
@overload
def fmt_decimal(value: Decimal | None, places: int | None, rounding: str = ...) -> str | None: ...
def fmt_decimal(value: Decimal | None, places: int | None, rounding: str = DEFAULT_ROUNDING) -> str | None:
    """A decimal with `places` digits, rounded with `rounding` (the rubric's: half up unless it says
    otherwise, never the decimal module's default half-even); `places` None: as it is."""
    if value is None:
        return None
    if places is None:
        return plain(value)
    # in the 100-digit context: the default 28 digits would refuse to quantize a long exact total
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=EXACT), "f")


def percent(fraction: Decimal, rounding: str = DEFAULT_ROUNDING) -> str:
    """A fraction as a percentage to 0.1 (0.4567 → 45.7)."""
    return fmt_decimal(fraction * 100, 1, rounding) or ""


def signed(value: Decimal) -> str:
    """Points with their sign: +2, -0.5."""
    text = plain(value)
    return text if text.startswith("-") else "+" + text


def plain_number(value: Decimal | None) -> int | str | None:
    """A number for JSON: a whole number as an int (150), otherwise its exact text."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else plain(value)
