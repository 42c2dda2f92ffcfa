"""Reads about ballots, each deciding what the viewer may see."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.ballots.models import (
    RANKED_METHODS,
    Ballot,
    BallotPaper,
    BallotState,
    Method,
    Question,
    RollEntry,
    Threshold,
)
from rankandfile.groups.models import Group, Membership, Visibility
from rankandfile.groups.selectors import member_is_organiser

Viewer = User | AnonymousUser
_NOT_HEX = re.compile(r"[^0-9a-f]")


def member_may_organise(*, member: User, ballot_group: Group | None) -> bool:
    """Organisers of the group run its ballots; network ballots are run by staff."""
    if ballot_group is None:
        return bool(member.is_staff)
    return member_is_organiser(member, ballot_group)


def _group_visible(ballot: Ballot, viewer: Viewer) -> bool:
    if ballot.group is None or ballot.group.visibility != Visibility.HIDDEN:
        return True
    # A member of another group on the roll (a ballot several groups hold together) sees it.
    return viewer.is_authenticated and (
        Membership.objects.filter(group=ballot.group, member=viewer).exists()
        or RollEntry.objects.filter(ballot=ballot, member=viewer).exists()
    )


def _ballot_seen_by(ballot: Ballot | None, viewer: Viewer) -> Ballot:
    """The ballot if the viewer may see it, or 404. Drafts are seen only by those who run the
    ballot; a hidden group's ballots only by its members (deny by default, no hint that they
    exist)."""
    if ballot is None or not _group_visible(ballot, viewer):
        raise Http404("No such ballot")
    if ballot.state == BallotState.DRAFT and not (
        isinstance(viewer, User) and member_may_organise(member=viewer, ballot_group=ballot.group)
    ):
        raise Http404("No such ballot")
    return ballot


def ballot_get_for_viewer(*, ballot_id: int, viewer: Viewer) -> Ballot:
    """A ballot the viewer may see, or 404 (see :func:`_ballot_seen_by`)."""
    ballot = Ballot.objects.select_related("group").filter(pk=ballot_id).first()
    return _ballot_seen_by(ballot, viewer)


def ballot_get_for_voter(*, ballot_id: int, voter: User) -> tuple[Ballot, bool | None]:
    """A ballot the voter may see (or 404, as :func:`ballot_get_for_viewer`) and whether they
    have voted in it: None if they are not on its roll. One query for a voter on the roll: their
    roll entry with its ballot."""
    try:
        entry = RollEntry.objects.select_related("ballot__group").get(
            ballot_id=ballot_id, member=voter
        )
    except RollEntry.DoesNotExist:
        return ballot_get_for_viewer(ballot_id=ballot_id, viewer=voter), None
    return _ballot_seen_by(entry.ballot, voter), entry.has_voted


# Every vote sent to a ballot asks for it, so a vote reads a copy of the open ballot up to this
# old from Django's cache. The cast itself checks, under its lock, that the ballot is still open
# and the voter on its roll (services.ballot_cast), never this copy.
OPEN_BALLOT_SECONDS = 2


def ballot_open_for_vote(*, ballot_id: int, voter: User) -> Ballot | None:
    """The open ballot a vote is sent to, if the voter may see it (or 404, as
    :func:`ballot_get_for_viewer`): a copy up to two seconds old. None if it is not open."""
    ballot: Ballot | None = cache.get_or_set(
        f"ballots:ballot:{ballot_id}:open",
        lambda: (
            Ballot.objects.select_related("group")
            .filter(pk=ballot_id, state=BallotState.OPEN)
            .first()
        ),
        OPEN_BALLOT_SECONDS,
    )
    return None if ballot is None else _ballot_seen_by(ballot, voter)


def ballots_for_member(member: User) -> QuerySet[Ballot]:
    """Ballots of the member's groups and of the whole network, and any they are on the roll of."""
    groups = Membership.objects.filter(member=member).values("group_id")
    return (
        Ballot.objects.exclude(state=BallotState.DRAFT)
        .filter(Q(group__isnull=True) | Q(group_id__in=groups) | Q(roll__member=member))
        .select_related("group")
        .distinct()
        .order_by("-closes_at", "title")
    )


def ballots_awaiting_vote(member: User, *, now: datetime | None = None) -> QuerySet[Ballot]:
    """Open ballots the member may vote in and has not voted in yet, closing soonest first.

    The roll, frozen when voting opened, says who may vote. A hidden group's ballot is left out
    for someone no longer in the group: its page does not exist for them."""
    now = now or timezone.now()
    groups = Membership.objects.filter(member=member).values("group_id")
    return (
        Ballot.objects.filter(
            state=BallotState.OPEN,
            opens_at__lte=now,
            closes_at__gt=now,
            roll__member=member,
            roll__has_voted=False,
        )
        .filter(
            Q(group__isnull=True) | ~Q(group__visibility=Visibility.HIDDEN) | Q(group_id__in=groups)
        )
        .select_related("group")
        .order_by("closes_at", "title", "pk")
    )


def drafts_organised_by(member: User, organised: QuerySet[Group]) -> QuerySet[Ballot]:
    """Draft ballots of the groups in ``organised`` (and the network's, for staff)."""
    mine = Q(group__in=organised)
    if member.is_staff:
        mine |= Q(group__isnull=True)
    return (
        Ballot.objects.filter(mine, state=BallotState.DRAFT)
        .select_related("group")
        .order_by("opens_at", "title")
    )


def roll_entry_of(*, ballot: Ballot, member: Viewer) -> RollEntry | None:
    if not isinstance(member, User):
        return None
    return RollEntry.objects.filter(ballot=ballot, member=member).first()


@dataclass(frozen=True)
class PaperQuestion:
    """A question as the ballot paper shows it: what the vote page and the check of a paper's
    answers need, with its choices as (position, name) in order."""

    position: int
    text: str
    method: str
    seats: int
    choices: tuple[tuple[int, str], ...]

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS

    @property
    def choice_count(self) -> int:
        return len(self.choices)


# A copy in Django's cache, because every vote needs it: a ballot's questions and choices
# never change once it has opened (they are edited only in a draft, which is never kept here).
PAPER_SECONDS = 300


def paper_questions(ballot: Ballot) -> list[PaperQuestion]:
    """The ballot's questions and their choices, in order, read in one query."""

    def read() -> list[PaperQuestion]:
        rows = (
            Question.objects.filter(ballot_id=ballot.pk)
            .order_by("position", "choices__position")
            .values_list(
                "position", "text", "method", "seats", "choices__position", "choices__name"
            )
        )
        questions: dict[int, tuple[tuple[int, str, str, int], list[tuple[int, str]]]] = {}
        for position, text, method, seats, choice_position, choice_name in rows:
            _, choices = questions.setdefault(position, ((position, text, method, seats), []))
            if choice_position is not None:
                choices.append((choice_position, choice_name))
        return [PaperQuestion(*fields, tuple(choices)) for fields, choices in questions.values()]

    if ballot.state == BallotState.DRAFT:
        return read()
    paper = cache.get_or_set(f"ballots:ballot:{ballot.pk}:paper", read, PAPER_SECONDS)
    assert isinstance(paper, list)  # never None: a list, empty or not, is what is kept
    return paper


def receipt_code_hash(code: str) -> str | None:
    """The receipt hash of a code as the voter typed it (any case, spaces or dashes)."""
    digits = _NOT_HEX.sub("", code.strip().lower())
    if len(digits) != 32:
        return None
    return hashlib.sha256(digits.encode()).hexdigest()


@dataclass(frozen=True)
class AnswerShown:
    question: Question
    lines: list[str]


def paper_answers(ballot: Ballot, contents: dict[str, Any]) -> list[AnswerShown]:
    """A paper's contents in words, question by question."""
    shown: list[AnswerShown] = []
    for question in ballot.questions.prefetch_related("choices"):
        value = contents.get(str(question.position))
        names = {c.position: c.name for c in question.choices.all()}
        if question.method == Method.YESNO:
            lines = [str(value).capitalize()]
        elif not value:
            lines = ["(left blank)"]
        elif question.method in RANKED_METHODS:
            lines = [f"{rank}. {names[p]}" for rank, p in enumerate(value, 1)]
        else:
            lines = [f"Approved: {names[p]}" for p in value]
        shown.append(AnswerShown(question, lines))
    return shown


def paper_for_receipt(*, ballot: Ballot, code: str) -> BallotPaper | None:
    receipt_hash = receipt_code_hash(code)
    if receipt_hash is None:
        return None
    return BallotPaper.objects.filter(ballot=ballot, receipt_hash=receipt_hash).first()


# Results -------------------------------------------------------------------------------------

# What each counting method does, in a few plain sentences, for the "how this was counted" fold
# under its plain name; the citation of the rule text follows it (the result's ``rule``).
METHOD_EXPLAINED: dict[str, str] = {
    Method.YESNO: (
        "Each voter answers yes, no or abstain. If a quorum is set, at least that many ballots "
        "must be returned (abstentions count towards it). The question is carried when more "
        "voters say yes than no, or, under a two-thirds majority, when at least two thirds of "
        "those who said yes or no said yes."
    ),
    Method.APPROVAL: (
        "Each voter ticks every option they approve of. The options with the most ticks win; "
        "a tie for the last place is settled by lot, with the published seed."
    ),
    Method.IRV: (
        "Voters rank the candidates. A candidate with more than half of the votes wins; if "
        "nobody has, the last candidate is excluded and their votes go to each voter's next "
        "choice, until someone has a majority."
    ),
    Method.SCOTTISH_STV: (
        "Voters rank the candidates. A candidate who reaches the quota is elected, and the "
        "votes they do not need pass on to the voters' next choices at a reduced value; when "
        "nobody reaches it, the last candidate is excluded and their votes pass on. This is the "
        "rule of Scottish local elections, with values kept to five decimal places."
    ),
    Method.ERS97: (
        "Voters rank the candidates. A candidate who reaches the quota is elected and their "
        "surplus passes on to the voters' next choices; when nobody reaches it, the last "
        "candidate is excluded and their votes pass on. This is the Electoral Reform Society's "
        "hand-count rule, with values kept to two decimal places."
    ),
    Method.MEEK: (
        "Voters rank the candidates. Elected candidates keep only the share of each vote they "
        "need to reach the quota and pass the rest on, recalculated until it settles; excluded "
        "candidates are skipped as if they had never stood. Counted by computer, as in New "
        "Zealand's STV elections."
    ),
}

OUTCOME_WORDS = {
    "carried": "Carried",
    "not carried": "Not carried",
    "inquorate": "Not decided: too few ballots were returned to meet the quorum",
}


def two_places(figure: object) -> str:
    """A vote figure to two decimal places ("805.00000" → "805.00"); whole numbers stay whole."""
    text = str(figure)
    if "." not in text:
        return text
    return str(Decimal(text).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Segment:
    start: float  # percent of the scale
    width: float
    stage: int
    label: str


@dataclass(frozen=True)
class ChartRow:
    name: str
    total: str
    segments: list[Segment]


@dataclass(frozen=True)
class TransferChart:
    rows: list[ChartRow]
    quota_at: float | None  # percent of the scale
    quota: str


@dataclass(frozen=True)
class YesNoFigures:
    yes: int
    no: int
    abstain: int
    yes_share: float  # percent of those who said yes or no
    no_share: float
    returned: int
    quorum: int
    quorum_met: bool | None  # None when no quorum was set
    majority: str
    majority_at: float  # percent of yes-or-no votes that yes must pass (or reach, two thirds)
    majority_met: bool
    outcome: str


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    result: dict[str, Any]
    method_explained: str
    valid_votes: str
    stage_numbers: list[int]
    rows: list[tuple[str, list[str], str]]  # candidate, totals per stage (2 places), status
    full_rows: list[tuple[str, list[str]]]  # candidate, totals per stage as counted
    non_transferable: list[str]
    full_non_transferable: list[str]
    stage_notes: list[str]
    chart: TransferChart | None
    yes_no: YesNoFigures | None


def _transfer_chart(result: dict[str, Any]) -> TransferChart:
    """Each candidate's votes as a bar built up stage by stage (gains only), with the quota,
    in percent of the longest bar, so that the page scales it to any width."""
    stages = result["stages"]
    names = list(stages[0]["totals"])
    peak = max(
        [Decimal(str(s["totals"][n])) for s in stages for n in names]
        + [Decimal(str(result["quota"] or 0)), Decimal(1)]
    )
    rows: list[ChartRow] = []
    for name in names:
        segments: list[Segment] = []
        reached = Decimal(0)
        for stage in stages:
            total = Decimal(str(stage["totals"][name]))
            if total > reached:
                gain = total - reached
                segments.append(
                    Segment(
                        start=float(100 * reached / peak),
                        width=float(100 * gain / peak),
                        stage=int(stage["number"]),
                        label=(
                            f"Stage {stage['number']}: +{two_places(gain)} "
                            f"({two_places(total)} in all)"
                        ),
                    )
                )
                reached = total
        rows.append(ChartRow(name, two_places(reached), segments))
    quota = result.get("quota")
    return TransferChart(
        rows=rows,
        quota_at=float(100 * Decimal(str(quota)) / peak) if quota else None,
        quota=two_places(quota) if quota else "",
    )


def _yes_no_figures(question: Question, result: dict[str, Any]) -> YesNoFigures:
    totals = result["stages"][0]["totals"]
    yes, no, abstain = (int(Decimal(str(totals[k]))) for k in ("yes", "no", "abstain"))
    cast_yes_no = yes + no
    two_thirds = question.threshold == Threshold.TWO_THIRDS
    outcome = str(result.get("outcome", ""))
    return YesNoFigures(
        yes=yes,
        no=no,
        abstain=abstain,
        yes_share=100 * yes / cast_yes_no if cast_yes_no else 0.0,
        no_share=100 * no / cast_yes_no if cast_yes_no else 0.0,
        returned=yes + no + abstain,
        quorum=question.quorum,
        quorum_met=(outcome != "inquorate") if question.quorum else None,
        majority=(
            "at least two thirds of those voting yes or no" if two_thirds else "more yes than no"
        ),
        majority_at=200 / 3 if two_thirds else 50.0,
        majority_met=(yes > 0 and 3 * yes >= 2 * cast_yes_no if two_thirds else yes > no),
        outcome=OUTCOME_WORDS.get(outcome, outcome.capitalize()),
    )


def _status(name: str, result: dict[str, Any]) -> str:
    if name in result["elected"]:
        return "Elected" if result["method"] != "yesno" else ""
    if name in result["excluded"]:
        return "Excluded"
    return ""


def _stage_notes(question: Question, stages: list[dict[str, Any]]) -> list[str]:
    notes = []
    for stage in stages:
        note = f"Stage {stage['number']}: {stage['action'].replace('-', ' ')}"
        if stage["subject"] and stage["action"] != "count":
            note += f" of {', '.join(stage['subject'])}"
        if stage["elected"] and question.method != Method.YESNO:
            note += f"; elected: {', '.join(stage['elected'])}"
        for tie in stage.get("tie_breaks", []):
            note += f"; tie between {', '.join(tie['tied'])} settled for {tie['chosen']}"
        notes.append(note)
    return notes


def question_results(ballot: Ballot) -> list[QuestionResult]:
    """Published results of every question, shaped for the results page."""
    if ballot.state != BallotState.PUBLISHED:
        return []
    shaped: list[QuestionResult] = []
    for question in ballot.questions.order_by("position"):
        result = question.result
        if result is None:
            continue
        stages = result["stages"]
        names = list(stages[0]["totals"])
        full_rows = [(name, [str(s["totals"][name]) for s in stages]) for name in names]
        full_non_transferable = [str(s["non_transferable"]) for s in stages]
        yes_no = question.method == Method.YESNO
        shaped.append(
            QuestionResult(
                question=question,
                result=result,
                method_explained=METHOD_EXPLAINED.get(question.method, ""),
                valid_votes=two_places(result.get("valid_votes", "")),
                stage_numbers=[int(s["number"]) for s in stages],
                rows=[
                    (name, [two_places(t) for t in totals], _status(name, result))
                    for name, totals in full_rows
                ],
                full_rows=full_rows,
                non_transferable=[two_places(t) for t in full_non_transferable],
                full_non_transferable=full_non_transferable,
                stage_notes=_stage_notes(question, stages),
                chart=_transfer_chart(result) if question.is_ranked else None,
                yes_no=_yes_no_figures(question, result) if yes_no else None,
            )
        )
    return shaped


def roll_turnout(ballot: Ballot) -> tuple[int, int]:
    """How many on the roll have voted, and how many are on it, while voting is open (for the
    organiser's "close voting now" confirmation)."""
    entries = RollEntry.objects.filter(ballot=ballot)
    return entries.filter(has_voted=True).count(), entries.count()


def turnout(ballot: Ballot) -> str:
    roll, voted = ballot.roll_size or 0, ballot.voted_count or 0
    share = f" ({100 * voted / roll:.1f}%)" if roll else ""
    return f"{voted} of {roll} members on the roll voted{share}"
