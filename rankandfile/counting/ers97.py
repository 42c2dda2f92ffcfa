"""ERS97 STV: the Electoral Reform Society's rules, "How to conduct an election by the Single
Transferable Vote", 3rd edition (1997), section 5 (detailed instructions for the count).

Implemented paragraph by paragraph:

- 5.1.6 quota: total valid vote / (places + 1) to two decimal places; if inexact, ignore the
  remainder and add 0.01. 5.4.8: while nobody is deemed elected, the quota is recalculated
  ignoring the non-transferable vote.
- 5.1.7, 5.3.13, 5.4.9: in descending order of votes, deem elected every candidate whose vote
  equals or exceeds the quota or (rarely lower) the total active vote / (places unfilled + 1),
  up to the number of places. 6.20: the total active vote is "the sum of the votes credited to
  all continuing candidates, plus any votes awaiting transfer": untransferred surpluses and,
  between the batches of an exclusion, the excluded candidates' papers not yet moved. 5.6.2:
  candidates level at the last place are separated by the earliest point at which they were
  unequal, and none is elected if they were always equal.
- 5.2.2 deferral: surpluses are deferred while their total does not exceed the margin by which
  the lowest candidate(s) who could be excluded under 5.2.5 trail the candidate next above.
- 5.2.3 largest surplus first; ties by the greatest vote at the earliest point at which the
  candidates were unequal, then lot.
- 5.2.5 exclude as many of the lowest candidates together as possible, provided enough remain to
  fill the places and their votes plus deferred surpluses do not exceed the candidate next above;
  ties by the fewest votes at the earliest unequal point, then lot.
- 5.3 surplus: exclusive Gregory. A first-stage surplus takes all the candidate's papers; a later
  one only the last received batch. If the transferable papers are worth more than the surplus,
  each passes at surplus / number of transferable papers, to two decimals, remainder ignored
  (the "non-transferable difference"); otherwise each passes at its present value.
- 5.4 exclusion: the excluded candidates' papers move in batches of equal value, highest value
  first; candidates deemed elected after a batch receive no further papers (5.4.10).
- 5.5.1 if a proposed exclusion would leave as many continuing candidates as places, they are all
  deemed elected; 5.5.2 once the places are filled no more papers move and the remaining
  continuing candidates are formally excluded.

Votes are integers in hundredths (units of 0.01), the rules' own precision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rankandfile.counting.blt import Election
from rankandfile.counting.result import Action, CountLog, CountResult, TieBreak, to_decimal
from rankandfile.counting.ties import break_tie_backwards

RULE = "ERS97 STV (Electoral Reform Society, How to conduct an election by STV, 3rd ed., 1997)"
RULE_VERSION = "1997"
PLACES = 2
UNIT = 100


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass
class _Group:
    ranking: tuple[int, ...]
    papers: int
    position: int = 0
    value: int = UNIT
    batch: int = 0

    @property
    def holder(self) -> int:
        return self.ranking[self.position] if self.position < len(self.ranking) else -1


class _Count(CountLog):
    def __init__(self, election: Election, seed: int | None) -> None:
        super().__init__(election.candidates, PLACES, seed)
        self.n = len(self.names)
        self.seats = election.seats
        self.groups = [_Group(r, p) for r, p in sorted(election.rankings_for_count().items())]
        self.valid = sum(g.papers for g in self.groups) * UNIT
        self.votes = [0] * self.n
        for g in self.groups:
            self.votes[g.holder] += g.papers * UNIT
        self.non_transferable = 0
        self.continuing = [c not in election.withdrawn for c in range(self.n)]
        self.elected_at_first_stage: set[int] = set()
        self.awaiting: list[int] = []  # elected with an untransferred surplus
        self.batch = 0
        self.points: list[list[int]] = []  # votes after stage 1 and after every batch
        self.quota = self._quota()

    # ----- helpers
    def _quota(self) -> int:
        return _ceil_div(self.valid - self.non_transferable, self.seats + 1)

    def _standing(self) -> list[int]:
        return [c for c in range(self.n) if self.continuing[c]]

    def _vacancies(self) -> int:
        return self.seats - len(self.elected)

    def _surplus(self, c: int) -> int:
        return max(self.votes[c] - self.quota, 0)

    def _snapshot(self) -> None:
        self.points.append(list(self.votes))

    def _forward_order(self, chosen: list[int], descending: bool) -> list[int]:
        sign = -1 if descending else 1
        return sorted(
            chosen,
            key=lambda c: (sign * self.votes[c], *(sign * p[c] for p in self.points), c),
        )

    def _total_active_vote(self) -> int:
        """6.20: "the sum of the votes credited to all continuing candidates, plus any votes
        awaiting transfer".

        Votes awaiting transfer are the surpluses not yet transferred (deferred, or of candidates
        deemed elected at this stage) and, in the middle of an exclusion, the batches of the
        excluded candidates' papers that have not moved yet (5.4.11): those papers are still
        live, so leaving them out would lower the 5.1.7(b) / 5.3.13(b) / 5.4.9(b) threshold and
        deem candidates elected before the papers reach them. Candidates excluded at earlier
        stages hold no votes, so summing over every excluded candidate adds only the batches
        still waiting.
        """
        continuing = sum(self.votes[c] for c in self._standing())
        surpluses = sum(self._surplus(c) for c in self.awaiting)
        unmoved = sum(self.votes[c] for c in self.excluded)
        return continuing + surpluses + unmoved

    def _deem_elected(self) -> list[int]:
        """5.1.7 / 5.3.13 / 5.4.9, with the 5.6.2 tie rule."""
        newly: list[int] = []
        while self._vacancies() > 0:
            if not self.elected and not newly:
                self.quota = self._quota()  # 5.4.8
            # (b): "the total active vote, divided by one more than the number of places not
            # yet filled"; at least 0.01, so that a candidate with no votes is never elected.
            threshold = max(_ceil_div(self._total_active_vote(), self._vacancies() + 1), 1)
            bar = min(self.quota, threshold)
            reaching = [c for c in self._standing() if self.votes[c] >= bar]
            if not reaching:
                break
            ordered = self._forward_order(reaching, descending=True)
            places = self._vacancies()
            if len(ordered) > places:
                last, first_out = ordered[places - 1], ordered[places]
                key_last = [self.votes[last], *(p[last] for p in self.points)]
                key_out = [self.votes[first_out], *(p[first_out] for p in self.points)]
                if key_last == key_out:  # 5.6.2: equal at all points: none of them this stage
                    tied_votes = self.votes[last]
                    ordered = [c for c in ordered[:places] if self.votes[c] != tied_votes]
                else:
                    ordered = ordered[:places]
            if not ordered:
                break
            for c in ordered:
                self.continuing[c] = False
                self.elected.append(c)
                newly.append(c)
                if self.votes[c] > self.quota:
                    self.awaiting.append(c)
        return newly

    def _record(
        self,
        action: Action,
        subject: list[int],
        newly: list[int],
        ties: list[TieBreak],
        excluded: Iterable[int] = (),
        note: str = "",
    ) -> None:
        self.record(
            action,
            subject,
            self.votes,
            self.non_transferable,
            elected=newly,
            excluded=excluded,
            ties=ties,
            note=note,
        )

    def _next_preference(self, group: _Group) -> int:
        position = group.position + 1
        while position < len(group.ranking) and not self.continuing[group.ranking[position]]:
            position += 1
        return position

    # ----- 5.2.2 and 5.2.5
    def _exclusion_set(self, deferred: int) -> list[int]:
        """The largest set of lowest candidates excludable together under 5.2.5."""
        standing = self._forward_order(self._standing(), descending=False)
        best = 0
        running = deferred
        for k in range(1, len(standing)):
            running += self.votes[standing[k - 1]]
            if len(standing) - k < self._vacancies():
                break
            if running <= self.votes[standing[k]]:
                best = k
        # Never split candidates level at the boundary: that choice needs the tie rule.
        while best > 1 and self.votes[standing[best - 1]] == self.votes[standing[best]]:
            best -= 1
        return standing[:best]

    def _surpluses_deferred(self) -> bool:
        total = sum(self._surplus(c) for c in self.awaiting)
        standing = self._standing()
        if len(standing) <= self._vacancies():
            return False
        return bool(self._exclusion_set(total))

    # ----- 5.3
    def _transfer_surplus(self, c: int) -> None:
        surplus = self._surplus(c)
        held = [g for g in self.groups if g.holder == c]
        if held and c not in self.elected_at_first_stage:
            last = max(g.batch for g in held)
            held = [g for g in held if g.batch == last]
        moves = [(g, self._next_preference(g)) for g in held]
        transferable = [(g, p) for g, p in moves if p < len(g.ranking)]
        papers = sum(g.papers for g, _ in transferable)
        worth = sum(g.papers * g.value for g, _ in transferable)
        self.batch += 1
        moved = 0
        for g, position in transferable:
            if worth > surplus:
                g.value = surplus // papers  # 5.3.7: two decimals, remainder ignored
            g.position = position
            g.batch = self.batch
            self.votes[g.holder] += g.papers * g.value
            moved += g.papers * g.value
        self.votes[c] -= surplus
        self.non_transferable += surplus - moved
        self._snapshot()

    # ----- 5.4
    def _exclude(self, chosen: list[int]) -> list[int]:
        for c in chosen:
            self.continuing[c] = False
            self.excluded.append(c)
        held = [g for g in self.groups if g.holder in chosen]
        newly: list[int] = []
        for value in sorted({g.value for g in held}, reverse=True):
            if self._vacancies() == 0:
                break
            self.batch += 1
            for g in (g for g in held if g.value == value):
                self.votes[g.holder] -= g.papers * g.value
                g.position = self._next_preference(g)
                g.batch = self.batch
                if g.holder < 0:
                    self.non_transferable += g.papers * g.value
                else:
                    self.votes[g.holder] += g.papers * g.value
            self._snapshot()
            # 5.4.9 after each batch; the batches still held by the excluded candidates are
            # awaiting transfer and stay in the total active vote (6.20).
            newly += self._deem_elected()
        return newly

    # ----- the count
    def run(self) -> CountResult:
        self._snapshot()
        newly = self._deem_elected()
        self.elected_at_first_stage = set(newly)
        self._record("first-preferences", [], newly, [])
        while self._vacancies() > 0 and self._standing():
            ties: list[TieBreak] = []
            if len(self._standing()) <= self._vacancies() and not self.awaiting:
                rest = self._forward_order(self._standing(), descending=True)
                for c in rest:
                    self.continuing[c] = False
                    self.elected.append(c)
                self._record("elect", [], rest, ties, note="4.3: as many candidates as places")
                break
            if self.awaiting and not self._surpluses_deferred():
                largest = max(self._surplus(c) for c in self.awaiting)
                tied = [c for c in self.awaiting if self._surplus(c) == largest]
                chosen, tie = break_tie_backwards(
                    tied, [*self.points, self.votes], "highest", self.lot, self.names, forwards=True
                )
                ties += [tie] if tie else []
                self.awaiting.remove(chosen)
                self._transfer_surplus(chosen)
                self._record("surplus", [chosen], self._deem_elected(), ties)
                continue
            deferred = sum(self._surplus(c) for c in self.awaiting)
            group = self._exclusion_set(deferred)
            if len(group) <= 1:
                standing = self._standing()
                fewest = min(self.votes[c] for c in standing)
                tied = [c for c in standing if self.votes[c] == fewest]
                lowest, tie = break_tie_backwards(
                    tied, [*self.points, self.votes], "lowest", self.lot, self.names, forwards=True
                )
                ties += [tie] if tie else []
                group = [lowest]
            if len(self._standing()) - len(group) <= self._vacancies():  # 5.5.1
                for c in group:
                    self.continuing[c] = False
                    self.excluded.append(c)
                rest = self._forward_order(self._standing(), descending=True)
                for c in rest:
                    self.continuing[c] = False
                    self.elected.append(c)
                self._record("elect", group, rest, ties, group, "5.5.1: last places filled")
                break
            note = f"surpluses deferred: {to_decimal(deferred, PLACES)}" if deferred else ""
            newly = self._exclude(group)
            self._record("exclusion", group, newly, ties, group, note)
        self.excluded.extend(self._standing())  # 5.5.2 formal exclusion
        return self.result(
            "ers97", RULE, RULE_VERSION, seats=self.seats, quota=self.quota, valid=self.valid
        )


def count_ers97(election: Election, *, seed: int | None = None) -> CountResult:
    return _Count(election, seed).run()
