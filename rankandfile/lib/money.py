"""Sums of money are kept in pence (integers) and shown in pounds."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class AmountError(ValueError):
    """Text that is not a sum of money we accept; the message is meant for the member."""


def pounds(pence: int | None) -> str:
    """12345 -> "£123.45"; whole pounds drop the pence: 24000 -> "£240"; None -> ""."""
    if pence is None:
        return ""
    whole, part = divmod(int(pence), 100)
    return f"£{whole:,}" if part == 0 else f"£{whole:,}.{part:02d}"


def pence_from_pounds(text: str, *, most_pence: int) -> int:
    """ "£1,240.50" -> 124050: a positive sum in pounds and pence, at most ``most_pence``.

    ``Decimal`` reads "NaN", "sNaN", "Infinity" and exponents such as "1e999" as numbers; none
    of them is a sum of money, and NaN cannot even be compared, so each is refused here, before
    any arithmetic.
    """
    raw = text.strip().removeprefix("£").replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise AmountError("Enter an amount in pounds, such as 240 or 240.50.") from None
    if not amount.is_finite() or amount <= 0:
        raise AmountError("Enter a positive amount in pounds, such as 240 or 240.50.")
    if amount > Decimal(most_pence).scaleb(-2):
        raise AmountError(f"Enter an amount of at most {pounds(most_pence)}.")
    if amount != amount.quantize(Decimal("0.01")):
        raise AmountError("Enter an amount in pounds and pence, with at most two decimals.")
    return int(amount.scaleb(2))
