"""Reads about ballots, each deciding what the viewer may see."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
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
    return (
        viewer.is_authenticated
        and Membership.objects.filter(group=ballot.group, member=viewer).exists()
    )


def ballot_get_for_viewer(*, ballot_id: int, viewer: Viewer) -> Ballot:
    """A ballot the viewer may see, or 404. Drafts are seen only by those who run the ballot;
    a hidden group's ballots only by its members (deny by default, no hint that they exist)."""
    ballot = Ballot.objects.select_related("group").filter(pk=ballot_id).first()
    if ballot is None or not _group_visible(ballot, viewer):
        raise Http404("No such ballot")
    if ballot.state == BallotState.DRAFT and not (
        isinstance(viewer, User) and member_may_organise(member=viewer, ballot_group=ballot.group)
    ):
        raise Http404("No such ballot")
    return ballot


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


def roll_entry_of(*, ballot: Ballot, member: Viewer) -> RollEntry | None:
    if not isinstance(member, User):
        return None
    return RollEntry.objects.filter(ballot=ballot, member=member).first()


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

CHART_WIDTH = 640
CHART_BAR = 22
CHART_GAP = 12
CHART_LABEL = 200


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    stage: int
    label: str


@dataclass(frozen=True)
class ChartRow:
    name: str
    y: int
    text_y: int
    segments: list[Segment]


@dataclass(frozen=True)
class TransferChart:
    width: int
    height: int
    rows: list[ChartRow]
    quota_x: float | None
    quota: str


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    result: dict[str, Any]
    stage_numbers: list[int]
    rows: list[tuple[str, list[str], str]]  # candidate, totals per stage, status
    non_transferable: list[str]
    stage_notes: list[str]
    chart: TransferChart | None
    quorum_met: bool | None


def _transfer_chart(result: dict[str, Any]) -> TransferChart:
    """Each candidate's votes as a bar built up stage by stage (gains only), with the quota."""
    stages = result["stages"]
    names = list(stages[0]["totals"])
    peak = max(
        [Decimal(str(s["totals"][n])) for s in stages for n in names]
        + [Decimal(str(result["quota"] or 0)), Decimal(1)]
    )
    scale = (CHART_WIDTH - CHART_LABEL - 10) / float(peak)
    rows: list[ChartRow] = []
    for i, name in enumerate(names):
        y = CHART_GAP + i * (CHART_BAR + CHART_GAP)
        segments: list[Segment] = []
        reached = Decimal(0)
        for stage in stages:
            total = Decimal(str(stage["totals"][name]))
            if total > reached:
                gain = total - reached
                segments.append(
                    Segment(
                        x=CHART_LABEL + float(reached) * scale,
                        width=float(gain) * scale,
                        stage=int(stage["number"]),
                        label=f"Stage {stage['number']}: +{gain} ({total} in all)",
                    )
                )
                reached = total
        rows.append(ChartRow(name, y, y + CHART_BAR // 2 + 5, segments))
    quota = result.get("quota")
    return TransferChart(
        width=CHART_WIDTH,
        height=CHART_GAP + len(names) * (CHART_BAR + CHART_GAP),
        rows=rows,
        quota_x=CHART_LABEL + float(Decimal(str(quota))) * scale if quota else None,
        quota=str(quota or ""),
    )


def _status(name: str, result: dict[str, Any]) -> str:
    if name in result["elected"]:
        return "Elected" if result["method"] != "yesno" else ""
    if name in result["excluded"]:
        return "Excluded"
    return ""


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
        rows = [
            (name, [str(s["totals"][name]) for s in stages], _status(name, result))
            for name in names
        ]
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
        shaped.append(
            QuestionResult(
                question=question,
                result=result,
                stage_numbers=[int(s["number"]) for s in stages],
                rows=rows,
                non_transferable=[str(s["non_transferable"]) for s in stages],
                stage_notes=notes,
                chart=_transfer_chart(result) if question.is_ranked else None,
                quorum_met=(
                    result.get("outcome") != "inquorate"
                    if question.method == Method.YESNO
                    else None
                ),
            )
        )
    return shaped


def turnout(ballot: Ballot) -> str:
    roll, voted = ballot.roll_size or 0, ballot.voted_count or 0
    share = f" ({100 * voted / roll:.1f}%)" if roll else ""
    return f"{voted} of {roll} members on the roll voted{share}"
