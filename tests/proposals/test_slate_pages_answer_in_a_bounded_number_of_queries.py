"""A group's list of slates and a slate's page with many applicants answer in a bounded number
of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.proposals.models import SlateApplication
from rankandfile.proposals.slates import slate_create
from tests.ballots.ballot_helpers import voters_make
from tests.personas import MakeGroup, MakeMember
from tests.proposals.slate_helpers import slate_opened


@pytest.mark.django_db
def test_the_list_and_a_slate_with_many_applicants_answer_in_bounded_queries(
    make_member: MakeMember, make_group: MakeGroup, django_assert_max_num_queries: object
) -> None:
    world = slate_opened(make_member, make_group, names=[])
    for n in range(30):
        slate_create(
            organiser=world.organiser,
            group=world.group,
            title=f"Slate {n}",
            election="the NEC",
            places=3,
            applications_close_at=timezone.now() + timedelta(days=1),
        )
    applicants = voters_make(world.group, 60)
    SlateApplication.objects.bulk_create(
        SlateApplication(slate=world.slate, member=m, name=str(m), statement=f"I am {m}.")
        for m in applicants
    )
    client = Client()
    client.force_login(applicants[0])
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        listed = client.get(reverse("slates:list", kwargs={"group_slug": world.group.slug}))
    assert listed.status_code == 200 and b"Slate 29" in listed.content
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        page = client.get(world.slate.get_absolute_url())
    assert page.status_code == 200
    assert page.content.count(b'class="card"') == 60
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        api = client.get("/api/v1/slates/")
    assert len(api.json()) == 31
