"""Sums of money are kept in pence (integers) and shown in pounds."""

from __future__ import annotations


def pounds(pence: int | None) -> str:
    """12345 -> "£123.45"; whole pounds drop the pence: 24000 -> "£240"; None -> ""."""
    if pence is None:
        return ""
    whole, part = divmod(int(pence), 100)
    return f"£{whole:,}" if part == 0 else f"£{whole:,}.{part:02d}"
