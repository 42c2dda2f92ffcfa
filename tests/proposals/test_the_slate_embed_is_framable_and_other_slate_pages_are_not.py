"""Other sites may frame the published slate's embed, which shows the recommended order; no
other slate page may be framed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.proposals.slates import slates_resolve_due
from tests.ballots.ballot_helpers import voters_make
from tests.personas import MakeGroup, MakeMember, login_with_second_factor
from tests.proposals.slate_helpers import (
    rankings_cast_and_published,
    slate_balloted,
    slate_opened,
)


def _not_framable(response: object) -> None:
    assert response["X-Frame-Options"] == "DENY"  # type: ignore[index]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]  # type: ignore[index]


@pytest.mark.django_db
def test_the_embed_is_framable_and_shows_the_order_while_other_slate_pages_are_not(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, places=2)
    slate_id = world.slate.pk
    embed_url = reverse("slates:embed", kwargs={"slate_id": slate_id})
    assert Client().get(embed_url).status_code == 404, "nothing to embed before publication"

    voters = voters_make(world.group, 5)
    ballot = slate_balloted(world.slate)
    rankings_cast_and_published(ballot, [[4, 2, 1]] * 5, voters)
    slates_resolve_due(now=ballot.closes_at + timedelta(minutes=2))

    embed = Client().get(embed_url)
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    assert "script-src" not in embed["Content-Security-Policy"]
    body = embed.content.decode()
    assert body.index("Dev Applicant") < body.index("Bea Applicant")
    assert "Ada Applicant" not in body and "Cleo Applicant" not in body
    assert "<form" not in body

    organiser = Client()
    login_with_second_factor(organiser, world.organiser)
    for name in ("detail", "public", "apply"):
        response = organiser.get(reverse(f"slates:{name}", kwargs={"slate_id": slate_id}))
        assert response.status_code == 200, name
        _not_framable(response)
    listed = organiser.get(reverse("slates:list", kwargs={"group_slug": world.group.slug}))
    _not_framable(listed)
