"""The result of a count: what every rule in this package returns.

Totals are :class:`decimal.Decimal` so that a 5-decimal Scottish figure prints as the returning
officer printed it; rules compute internally in integers or fractions and convert at the end.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Action = Literal["first-preferences", "surplus", "exclusion", "elect", "count"]


@dataclass(frozen=True)
class TieBreak:
    """How a tie between ``tied`` was resolved; ``reason`` cites the rule applied."""

    tied: tuple[str, ...]
    chosen: str
    reason: str


@dataclass(frozen=True)
class Stage:
    """One stage of a count.

    ``action`` is ``first-preferences`` (stage 1 of a ranked count), ``surplus`` (transfer of
    ``subject``'s surplus), ``exclusion`` (exclusion of ``subject`` and transfer of their papers),
    ``elect`` (remaining vacancies filled without a transfer) or ``count`` (a single-round count
    such as approval or yes/no). ``totals`` holds every candidate's total after the stage.
    """

    number: int
    action: Action
    subject: tuple[str, ...]
    totals: dict[str, Decimal]
    non_transferable: Decimal
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    tie_breaks: tuple[TieBreak, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CountResult:
    method: str
    rule: str
    rule_version: str
    seats: int
    quota: Decimal | None
    candidates: tuple[str, ...]
    elected: tuple[str, ...]
    excluded: tuple[str, ...]
    stages: tuple[Stage, ...]
    valid_votes: Decimal
    seed: int | None = None
    outcome: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def tie_breaks(self) -> tuple[TieBreak, ...]:
        return tuple(t for s in self.stages for t in s.tie_breaks)

    def to_json_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "method": self.method,
            "rule": self.rule,
            "rule_version": self.rule_version,
            "seats": self.seats,
            "quota": self.quota,
            "valid_votes": self.valid_votes,
            "elected": list(self.elected),
            "excluded": list(self.excluded),
            "stages": [
                {
                    "number": s.number,
                    "action": s.action,
                    "subject": list(s.subject),
                    "totals": s.totals,
                    "non_transferable": s.non_transferable,
                    "elected": list(s.elected),
                    "excluded": list(s.excluded),
                    "tie_breaks": [
                        {"tied": list(t.tied), "chosen": t.chosen, "reason": t.reason}
                        for t in s.tie_breaks
                    ],
                    **({"note": s.note} if s.note else {}),
                }
                for s in self.stages
            ],
            "seed": self.seed,
        }
        if self.outcome:
            data["outcome"] = self.outcome
        if self.extra:
            data["extra"] = self.extra
        return data

    def to_json(self) -> str:
        """JSON with every Decimal written as an exact JSON number (never via a float)."""
        return dumps_exact(self.to_json_dict())


_MARK = "\x00decimal:"


def _encode_decimals(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{_MARK}{value:f}\x00"
    if isinstance(value, dict):
        return {k: _encode_decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode_decimals(v) for v in value]
    return value


def dumps_exact(data: object, indent: int | None = 2) -> str:
    text = json.dumps(_encode_decimals(data), indent=indent, ensure_ascii=False)
    # A marked string serialises as "\u0000decimal:123.45\u0000"; replace it by the bare number.
    start = '"\\u0000decimal:'
    out: list[str] = []
    pos = 0
    while (i := text.find(start, pos)) != -1:
        end = text.index('\\u0000"', i + len(start))
        out.append(text[pos:i])
        out.append(text[i + len(start) : end])
        pos = end + len('\\u0000"')
    out.append(text[pos:])
    return "".join(out)


class Lot:
    """Drawing lots reproducibly: every draw comes from one seeded generator, in order."""

    def __init__(self, seed: int | None) -> None:
        self.seed = secrets.randbits(32) if seed is None else seed
        self._random = random.Random(self.seed)

    def choose(self, options: list[int]) -> int:
        """Pick one of ``options`` (sorted first, so the draw depends only on the seed)."""
        return self._random.choice(sorted(options))


class CountLog:
    """A count as it goes: candidates by index, votes in integer units of 10**-places.

    It keeps who is elected and excluded, every stage so far and the lot that ties are drawn
    from, and turns them into names and exact Decimals in one place for every rule that counts
    votes for candidates (all but yes/no).
    """

    def __init__(self, names: tuple[str, ...], places: int, seed: int | None) -> None:
        self.names = names
        self.places = places
        self.lot = Lot(seed)
        self.elected: list[int] = []
        self.excluded: list[int] = []
        self.stages: list[Stage] = []

    def named(self, candidates: Iterable[int]) -> tuple[str, ...]:
        return tuple(self.names[c] for c in candidates)

    def record(
        self,
        action: Action,
        subject: Iterable[int],
        totals: Sequence[int],
        non_transferable: int,
        *,
        elected: Iterable[int] = (),
        excluded: Iterable[int] = (),
        ties: Iterable[TieBreak] = (),
        note: str = "",
    ) -> None:
        """Add a stage: ``totals`` holds every candidate's votes after it."""
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                subject=self.named(subject),
                totals={
                    self.names[c]: to_decimal(totals[c], self.places)
                    for c in range(len(self.names))
                },
                non_transferable=to_decimal(non_transferable, self.places),
                elected=self.named(elected),
                excluded=self.named(excluded),
                tie_breaks=tuple(ties),
                note=note,
            )
        )

    def result(
        self,
        method: str,
        rule: str,
        rule_version: str,
        *,
        seats: int,
        quota: int | None,
        valid: int,
        extra: dict[str, str] | None = None,
    ) -> CountResult:
        return CountResult(
            method=method,
            rule=rule,
            rule_version=rule_version,
            seats=seats,
            quota=None if quota is None else to_decimal(quota, self.places),
            candidates=self.names,
            elected=self.named(self.elected),
            excluded=self.named(self.excluded),
            stages=tuple(self.stages),
            valid_votes=to_decimal(valid, self.places),
            seed=self.lot.seed,
            extra=extra or {},
        )


def to_decimal(units: int, places: int) -> Decimal:
    """An integer count of 10**-places units as an exact Decimal."""
    if not places:
        return Decimal(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**places)
    return Decimal(f"{sign}{whole}.{frac:0{places}d}")
