"""What the map page says about a stored map, in words and figures. No queries here.

A stored map (``OpinionMapResult.data``, made by ``summary.map_data``) knows statements and
participants only by number; the page passes the texts of the statements it may show (accepted
ones: a statement rejected after the map was drawn drops out). Percentages are of those who
voted on the statement, passes included, as Polis counts them ("seen").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rankandfile.opinions.svg import group_name

# The page shows this many of the statements with the highest group-informed consensus.
INFORMED_MOST = 3


@dataclass(frozen=True)
class GroupShare:
    name: str
    agree_percent: int | None  # None when nobody in the group has voted on it
    voted: int


@dataclass(frozen=True)
class StatementFigures:
    number: int
    text: str
    agree_percent: int
    disagree_percent: int
    voted: int
    groups: tuple[GroupShare, ...]
    informed_consensus: float | None  # None while there are no groups

    @property
    def every_group_agrees(self) -> bool:
        """A majority of every opinion group agreed."""
        return bool(self.groups) and all(
            share.agree_percent is not None and share.agree_percent > 50 for share in self.groups
        )


@dataclass(frozen=True)
class RepresentativeStatement:
    number: int
    text: str
    direction: str  # "agree" or "disagree"
    percent: int  # of the group's voters on it, who agreed (or disagreed)
    voted: int


@dataclass(frozen=True)
class GroupRow:
    group: int
    name: str
    size: int
    representative: tuple[RepresentativeStatement, ...]


@dataclass(frozen=True)
class MapFigures:
    groups: tuple[GroupRow, ...]
    in_conversation: int
    consensus_agree: tuple[StatementFigures, ...]
    consensus_disagree: tuple[StatementFigures, ...]
    informed: tuple[StatementFigures, ...]
    divisive: tuple[StatementFigures, ...]

    @property
    def clustered(self) -> int:
        return sum(row.size for row in self.groups)

    @property
    def common_ground(self) -> tuple[StatementFigures, ...]:
        """What unites the groups and can become a demand: the statements most agree with, then
        the top group-informed consensus, each once."""
        seen: set[int] = set()
        chosen = []
        for each in (*self.consensus_agree, *self.informed):
            if each.number not in seen:
                seen.add(each.number)
                chosen.append(each)
        return tuple(chosen)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _statement(number: int, text: str, data: Mapping[str, Any], n_groups: int) -> StatementFigures:
    agree, disagree, voted = data["votes"].get(str(number), [0, 0, 0])
    rows = data["group_votes"].get(str(number), [[0, 0, 0]] * n_groups)
    informed = data["group_informed_consensus"].get(str(number)) if n_groups else None
    return StatementFigures(
        number=number,
        text=text,
        agree_percent=_percent(agree, voted),
        disagree_percent=_percent(disagree, voted),
        voted=voted,
        groups=tuple(
            GroupShare(
                name=group_name(group),
                agree_percent=_percent(row[0], row[2]) if row[2] else None,
                voted=row[2],
            )
            for group, row in enumerate(rows)
        ),
        informed_consensus=informed,
    )


def map_figures(data: Mapping[str, Any], texts: Mapping[int, str]) -> MapFigures:
    """The page's figures from a stored map and the texts of the statements it may show."""
    sizes: list[int] = data["group_sizes"]
    n_groups = len(sizes)

    def figures(numbers: Sequence[int]) -> tuple[StatementFigures, ...]:
        return tuple(_statement(n, texts[n], data, n_groups) for n in numbers if n in texts)

    informed: list[int] = []
    if n_groups:
        ranked = sorted(
            (-value, int(number))
            for number, value in data["group_informed_consensus"].items()
            if int(number) in texts
        )
        informed = [number for _, number in ranked[:INFORMED_MOST]]
    groups = tuple(
        GroupRow(
            group=group,
            name=group_name(group),
            size=size,
            representative=tuple(
                RepresentativeStatement(
                    number=row["statement"],
                    text=texts[row["statement"]],
                    direction=row["direction"],
                    percent=row["percent"],
                    voted=row["n_trials"],
                )
                for row in data["repness"].get(str(group), [])
                if row["statement"] in texts
            ),
        )
        for group, size in enumerate(sizes)
    )
    return MapFigures(
        groups=groups,
        in_conversation=data["in_conversation"],
        consensus_agree=figures(data["consensus"]["agree"]),
        consensus_disagree=figures(data["consensus"]["disagree"]),
        informed=figures(informed),
        divisive=figures(data["divisive"]),
    )


def statements_needed(data: Mapping[str, Any]) -> set[int]:
    """Every statement number the page may name, to load their texts in one query: of the
    group-informed consensus, only the top few (with room for some rejected since)."""
    ranked = sorted((-v, int(n)) for n, v in data["group_informed_consensus"].items())
    numbers = {number for _, number in ranked[: INFORMED_MOST * 5]}
    numbers |= set(data["consensus"]["agree"]) | set(data["consensus"]["disagree"])
    numbers |= set(data["divisive"])
    for rows in data["repness"].values():
        numbers |= {row["statement"] for row in rows}
    return numbers


def _groups_in_words(figures: StatementFigures) -> str:
    return ", ".join(
        f"{share.name} {share.agree_percent}%"
        for share in figures.groups
        if share.agree_percent is not None
    )


def demand_figures(figures: StatementFigures) -> str:
    """One statement's support, in a sentence for a campaign's explanation."""
    text = f"{figures.agree_percent}% of the participants who voted on it agreed"
    if not figures.groups:
        return text
    if figures.every_group_agrees:
        text += f", and so did a majority of every opinion group ({_groups_in_words(figures)})"
    else:
        text += f"; within the opinion groups, {_groups_in_words(figures)} agreed"
    if figures.informed_consensus is not None:
        text += f"; group-informed consensus {figures.informed_consensus:.2f}"
    return text


def choice_label(figures: StatementFigures) -> str:
    """The statement and its support, briefly, beside its checkbox."""
    text = f"“{figures.text}”: {figures.agree_percent}% agreed"
    if figures.every_group_agrees:
        text += ", a majority of every opinion group"
    if figures.informed_consensus is not None:
        text += f"; group-informed consensus {figures.informed_consensus:.2f}"
    return text


def campaign_explanation(
    *, question: str, url: str, chosen: Sequence[StatementFigures], participants: int
) -> str:
    """The explanation a draft campaign starts with: where its demands come from, and how much
    support each had, with a link back to the conversation."""
    lines = [
        f"These demands come from the conversation “{question}” ({url}), where "
        f"{participants} members voted on each other's statements and found common ground "
        "across their opinion groups.",
        "",
    ]
    for each in chosen:
        lines.append(f"“{each.text}”: {demand_figures(each)}.")
    return "\n".join(lines)


PROPOSAL_TITLE_LONGEST = 200


def proposal_title(question: str) -> str:
    title = f"Common ground: {question}"
    if len(title) <= PROPOSAL_TITLE_LONGEST:
        return title
    return title[: PROPOSAL_TITLE_LONGEST - 1].rstrip() + "…"


def proposal_text(
    *, question: str, url: str, chosen: Sequence[StatementFigures], participants: int
) -> str:
    """The Markdown a draft proposal starts with: the statements as a numbered list, each with
    its figures, after a link back to the conversation."""
    lines = [
        f"These statements come from the conversation [“{_markdown_text(question)}”]({url}), "
        f"where {participants} members voted on each other's statements and found common ground "
        "across their opinion groups.",
        "",
    ]
    for number, each in enumerate(chosen, 1):
        lines.append(f"{number}. {_markdown_text(each.text)} ({demand_figures(each)}.)")
    return "\n".join(lines)


def _markdown_text(text: str) -> str:
    """A member's words as Markdown text: the characters of inline markup (emphasis, code,
    links) escaped, the rest left readable for the organiser editing the draft. Raw HTML is
    never markup here (lib.markdown renders with it off)."""
    return "".join(f"\\{c}" if c in "\\`*_[]" else c for c in text)
