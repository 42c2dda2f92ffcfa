"""Read and write ranked ballots in BLT format.

The format is the one of Hill, Wichmann and Woodall, "Algorithm 123: Single Transferable Vote by
Meek's method", The Computer Journal 30(3), 1987, with the extensions most counting programs
accept::

    7 4                 number of candidates, number of seats
    -2 -5               optional: withdrawn candidates as negative numbers
    64 1 0              weight, then candidate numbers in order of preference, then 0
    2 1 2 0
    0                   end of ballots
    "Barney CROCKETT"   one name per candidate, quoted or not
    ...
    "Ward title"        optional title

A ``#`` starts a comment that runs to the end of the line (outside quoted names). Equal rankings
(``1=2``) are rejected: none of the rules in this package defines how to count them. Every problem
raises :class:`BallotFormatError` naming the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BallotFormatError", "Election", "parse_blt", "read_blt", "write_blt"]


class BallotFormatError(ValueError):
    """Malformed ballot file; ``line`` is 1-based (0 when the problem is the file as a whole)."""

    def __init__(self, line: int, problem: str) -> None:
        self.line = line
        self.problem = problem
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{problem}")


@dataclass(frozen=True)
class Election:
    """A ranked-ballot election: candidates by 0-based index, ballots grouped by ranking.

    ``ballots`` maps a ranking (tuple of candidate indices, most preferred first) to the number
    of ballots cast with exactly that ranking.
    """

    candidates: tuple[str, ...]
    seats: int
    ballots: dict[tuple[int, ...], int]
    withdrawn: frozenset[int] = field(default_factory=frozenset)
    title: str = ""

    @classmethod
    def from_rankings(
        cls,
        candidates: Iterable[str],
        seats: int,
        rankings: Iterable[tuple[tuple[int, ...], int]],
        withdrawn: Iterable[int] = (),
        title: str = "",
    ) -> Election:
        """Build an election from (ranking, weight) pairs, grouping identical rankings."""
        grouped: dict[tuple[int, ...], int] = {}
        for ranking, weight in rankings:
            grouped[ranking] = grouped.get(ranking, 0) + weight
        return cls(tuple(candidates), seats, grouped, frozenset(withdrawn), title)

    @property
    def ballot_count(self) -> int:
        return sum(self.ballots.values())

    def rankings_for_count(self) -> dict[tuple[int, ...], int]:
        """Rankings with withdrawn candidates struck out and empty ballots dropped, regrouped."""
        if not self.withdrawn:
            return {r: n for r, n in self.ballots.items() if r and n > 0}
        grouped: dict[tuple[int, ...], int] = {}
        for ranking, weight in self.ballots.items():
            kept = tuple(c for c in ranking if c not in self.withdrawn)
            if kept and weight > 0:
                grouped[kept] = grouped.get(kept, 0) + weight
        return grouped


def _strip_comment(text: str) -> str:
    in_quote = False
    for i, char in enumerate(text):
        if char == '"':
            in_quote = not in_quote
        elif char == "#" and not in_quote:
            return text[:i]
    return text


def _int(token: str, line: int, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise BallotFormatError(line, f"{what} must be a whole number, got {token!r}") from None


def _name(text: str, line: int) -> str:
    text = text.strip()
    if text.startswith('"'):
        end = text.find('"', 1)
        if end == -1:
            raise BallotFormatError(line, f"unterminated quoted name {text!r}")
        if text[end + 1 :].strip():
            raise BallotFormatError(line, f"unexpected text after the quoted name {text!r}")
        return text[1:end]
    return text


def parse_blt(text: str) -> Election:
    """Parse BLT text; raise :class:`BallotFormatError` naming the line of any problem."""
    # split("\n") rather than splitlines(): names may contain other line-break characters.
    raw_lines = text.split("\n")
    lines = [(n, _strip_comment(raw.rstrip("\r")).strip()) for n, raw in enumerate(raw_lines, 1)]
    content = [(n, s) for n, s in lines if s]
    if not content:
        raise BallotFormatError(0, "empty file: expected a header 'candidates seats'")
    pos = 0

    line, header = content[pos]
    pos += 1
    parts = header.split()
    if len(parts) != 2:
        raise BallotFormatError(line, f"header must be 'candidates seats', got {header!r}")
    n_candidates = _int(parts[0], line, "number of candidates")
    seats = _int(parts[1], line, "number of seats")
    if n_candidates < 1:
        raise BallotFormatError(line, "number of candidates must be at least 1")
    if seats < 1:
        raise BallotFormatError(line, "number of seats must be at least 1")

    withdrawn: set[int] = set()
    if pos < len(content) and content[pos][1].startswith("-"):
        line, text_ = content[pos]
        pos += 1
        for token in text_.split():
            number = _int(token, line, "withdrawn candidate")
            if number >= 0 or -number > n_candidates:
                raise BallotFormatError(
                    line, f"withdrawn candidate must be -1 to -{n_candidates}, got {token}"
                )
            withdrawn.add(-number - 1)

    ballots: dict[tuple[int, ...], int] = {}
    while True:
        if pos >= len(content):
            raise BallotFormatError(
                content[-1][0], "unexpected end of file: ballots must end with a line '0'"
            )
        line, text_ = content[pos]
        pos += 1
        if text_ == "0":
            break
        if "=" in text_:
            raise BallotFormatError(
                line, "equal rankings ('=') are not supported: rank candidates strictly"
            )
        tokens = text_.split()
        weight = _int(tokens[0], line, "ballot weight")
        if weight < 1:
            raise BallotFormatError(line, f"ballot weight must be positive, got {tokens[0]}")
        if len(tokens) < 2 or tokens[-1] != "0":
            raise BallotFormatError(line, "ballot must end with 0")
        ranking: list[int] = []
        for token in tokens[1:-1]:
            number = _int(token, line, "candidate number")
            if not 1 <= number <= n_candidates:
                raise BallotFormatError(
                    line, f"candidate number must be 1 to {n_candidates}, got {token}"
                )
            if number - 1 in ranking:
                raise BallotFormatError(line, f"candidate {number} is ranked twice")
            ranking.append(number - 1)
        key = tuple(ranking)
        ballots[key] = ballots.get(key, 0) + weight

    names: list[str] = []
    for _ in range(n_candidates):
        if pos >= len(content):
            raise BallotFormatError(
                content[-1][0],
                f"expected {n_candidates} candidate names after the ballots, found {len(names)}",
            )
        line, text_ = content[pos]
        pos += 1
        names.append(_name(text_, line))
    if len(set(names)) != len(names):
        raise BallotFormatError(content[pos - 1][0], "candidate names must be distinct")

    title = ""
    if pos < len(content):
        line, text_ = content[pos]
        pos += 1
        title = _name(text_, line)
    if pos < len(content):
        line, text_ = content[pos]
        raise BallotFormatError(line, f"unexpected text after the title: {text_!r}")
    return Election(tuple(names), seats, ballots, frozenset(withdrawn), title)


def read_blt(path: str | Path) -> Election:
    return parse_blt(Path(path).read_text(encoding="utf-8-sig"))


def _quote(text: str) -> str:
    if '"' in text or "\n" in text:
        raise ValueError(f"cannot write {text!r} in BLT: it contains a quote or a newline")
    return f'"{text}"'


def write_blt(election: Election) -> str:
    """Serialise an election to BLT text (names quoted, one line per ballot group)."""
    out = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        out.append(" ".join(str(-(c + 1)) for c in sorted(election.withdrawn)))
    for ranking, weight in election.ballots.items():
        out.append(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]))
    out.append("0")
    out.extend(_quote(name) for name in election.candidates)
    out.append(_quote(election.title))
    return "\n".join(out) + "\n"
