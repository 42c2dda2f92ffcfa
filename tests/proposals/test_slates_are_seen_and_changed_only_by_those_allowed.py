"""Who may open, see, apply to, withdraw from and send a slate to a ballot; statements are
word-limited and stored as Markdown that is shown safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.groups.models import Membership
from rankandfile.proposals.slates import (
    STATEMENT_WORDS,
    SlateError,
    slate_apply,
    slate_create,
    slate_send_to_ballot,
    slate_withdraw,
)
from tests.personas import MakeGroup, MakeMember, login_with_second_factor
from tests.proposals.slate_helpers import after_applications, slate_opened


@pytest.mark.django_db
def test_only_an_organiser_opens_a_slate(make_member: MakeMember, make_group: MakeGroup) -> None:
    group = make_group()
    member = make_member(mfa=True)
    Membership.objects.create(group=group, member=member)
    with pytest.raises(SlateError, match="organisers"):
        slate_create(
            organiser=member,
            group=group,
            title="Mine",
            election="the NEC",
            places=3,
            applications_close_at=timezone.now() + timedelta(days=1),
        )
    client = Client()
    login_with_second_factor(client, member)
    assert client.get(reverse("slates:new", kwargs={"group_slug": group.slug})).status_code == 404


@pytest.mark.django_db
def test_an_organiser_opens_a_slate_from_the_page(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    other = make_group()
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("slates:new", kwargs={"group_slug": group.slug})
    form = {
        "title": "Left slate",
        "election": "the NEC",
        "places": "3",
        "applications_close_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "ballot_days": "7",
        "other_groups": f"{other.slug}, no-such-group",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "There is no group at: no-such-group." in refused.content.decode()
    made = client.post(url, form | {"other_groups": other.slug})
    assert made.status_code == 302
    page = client.get(made["Location"]).content.decode()
    assert "waiting for its organisers to agree" in page


@pytest.mark.django_db
def test_outsiders_see_nothing_until_it_is_published(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, names=["Ada Applicant"])
    outsider = make_member()
    Membership.objects.create(group=make_group(), member=outsider)
    client = Client()
    client.force_login(outsider)
    for name in ("detail", "apply", "public", "embed"):
        url = reverse(f"slates:{name}", kwargs={"slate_id": world.slate.pk})
        assert client.get(url).status_code == 404, name
    with pytest.raises(SlateError, match="Only members"):
        slate_apply(slate=world.slate, member=outsider, statement="Let me in.")


@pytest.mark.django_db
def test_statements_are_word_limited_and_shown_safe(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, names=[])
    member = make_member(display_name="Mallory")
    Membership.objects.create(group=world.group, member=member)
    with pytest.raises(SlateError, match=f"at most {STATEMENT_WORDS} words"):
        slate_apply(slate=world.slate, member=member, statement="word " * (STATEMENT_WORDS + 1))
    with pytest.raises(SlateError, match="at most"):
        slate_apply(slate=world.slate, member=member, statement="x" * 1_000_000)
    slate_apply(
        slate=world.slate,
        member=member,
        statement='<script>alert(1)</script> <img src=x onerror="alert(2)"> '
        "[click](javascript:alert(3))",
    )
    client = Client()
    client.force_login(member)
    page = client.get(world.slate.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "<img" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


@pytest.mark.django_db
def test_applicants_withdraw_only_before_voting_and_only_organisers_send_it_to_a_ballot(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, names=["Ada Applicant", "Bea Applicant"])
    ada, bea = world.applicants
    slate_withdraw(slate=world.slate, member=ada)
    slate_apply(slate=world.slate, member=ada, statement="Back again.")
    with pytest.raises(SlateError, match="still open"):
        slate_send_to_ballot(slate=world.slate, actor=world.organiser)
    with pytest.raises(SlateError, match="organisers"):
        slate_send_to_ballot(slate=world.slate, actor=bea, now=after_applications(world.slate))
    with pytest.raises(SlateError, match="not taking applications"):
        slate_apply(
            slate=world.slate,
            member=bea,
            statement="Too late.",
            now=after_applications(world.slate),
        )
    ballot = slate_send_to_ballot(
        slate=world.slate, actor=world.organiser, now=after_applications(world.slate)
    )
    assert ballot is not None
    assert [c.name for c in ballot.questions.get().choices.all()] == [
        "Ada Applicant",
        "Bea Applicant",
    ]
    with pytest.raises(SlateError, match="Voting has started"):
        slate_withdraw(slate=world.slate, member=bea)
