"""Members rank the applicants in an STV ballot; the clock publishes the elected, in the order
of their election, as the recommended slate, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.ballots.models import BallotState, Method
from rankandfile.proposals.models import SlateApplication, SlateState
from rankandfile.proposals.slate_selectors import recommended_order
from rankandfile.proposals.slates import slate_withdraw, slates_resolve_due
from tests.ballots.ballot_helpers import voters_make
from tests.personas import MakeGroup, MakeMember
from tests.proposals.slate_helpers import (
    rankings_cast_and_published,
    slate_balloted,
    slate_opened,
)

# Candidates by number, in the order they applied: 1 Ada, 2 Bea, 3 Cleo, 4 Dev.
# 14 valid papers, 2 seats: the Scottish STV quota is 14 // 3 + 1 = 5. Cleo has 6 first
# preferences and is elected at stage 1; her surplus of 1 goes to Ada (her papers' next
# preference), whose 4 + 1 = 5 reach the quota: Cleo then Ada, though Ada applied first.
RANKINGS = [[3, 1]] * 6 + [[1, 2]] * 4 + [[2, 1]] * 3 + [[4, 2]]


@pytest.mark.django_db
def test_ranking_by_members_gives_the_published_recommended_order(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, names=[*_names(), "Eve Withdrawn"])
    slate_withdraw(slate=world.slate, member=world.applicants[-1])
    voters = voters_make(world.group, len(RANKINGS))
    ballot = slate_balloted(world.slate)

    question = ballot.questions.get()
    assert question.method == Method.SCOTTISH_STV
    assert question.seats == 2
    assert [c.name for c in question.choices.all()] == list(_names())  # Eve withdrew
    world.slate.refresh_from_db()
    assert world.slate.state == SlateState.VOTING

    published = rankings_cast_and_published(ballot, RANKINGS, voters)
    assert published.state == BallotState.PUBLISHED
    assert question.__class__.objects.get(pk=question.pk).result["elected"] == [
        "Cleo Applicant",
        "Ada Applicant",
    ]

    later = published.closes_at + timedelta(minutes=2)
    assert slates_resolve_due(now=later) == 1
    assert slates_resolve_due(now=later) == 0, "written back once"
    world.slate.refresh_from_db()
    assert world.slate.state == SlateState.PUBLISHED
    assert [(a.slate_position, a.name) for a in recommended_order(world.slate)] == [
        (1, "Cleo Applicant"),
        (2, "Ada Applicant"),
    ]
    assert SlateApplication.objects.filter(slate=world.slate, slate_position=None).count() == 3

    page = Client().get(reverse("slates:public", kwargs={"slate_id": world.slate.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("1. Cleo Applicant") < text.index("2. Ada Applicant")
    assert "Bea Applicant" not in text
    assert "<strong>Vote</strong>" in text  # the statements, rendered from Markdown


@pytest.mark.django_db
def test_with_no_more_applicants_than_places_the_count_still_orders_them_all(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, places=3, names=_names()[:3])
    voters = voters_make(world.group, 5)
    ballot = slate_balloted(world.slate)
    assert ballot.questions.get().seats == 2  # one fewer than the applicants
    rankings_cast_and_published(ballot, [[2, 3, 1]] * 5, voters)
    slates_resolve_due(now=ballot.closes_at + timedelta(minutes=2))
    world.slate.refresh_from_db()
    assert [a.name for a in recommended_order(world.slate)] == [
        "Bea Applicant",
        "Cleo Applicant",
        "Ada Applicant",
    ]


@pytest.mark.django_db
def test_a_slate_with_fewer_than_two_applicants_lapses_without_a_ballot(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, names=["Ada Applicant"])
    assert slates_resolve_due(now=world.slate.applications_close_at + timedelta(minutes=1)) == 1
    world.slate.refresh_from_db()
    assert world.slate.state == SlateState.LAPSED
    assert world.slate.ballot is None


def _names() -> list[str]:
    return ["Ada Applicant", "Bea Applicant", "Cleo Applicant", "Dev Applicant"]
