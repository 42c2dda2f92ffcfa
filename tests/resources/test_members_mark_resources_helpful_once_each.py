"""Helpful marks: one per member per resource (a database constraint), shown as a count and
ordering the hub, the most helpful first."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from rankandfile.resources.models import HelpfulMark
from rankandfile.resources.services import ResourceError, resource_mark_helpful
from tests.personas import MakeMember
from tests.resources.resource_helpers import article


@pytest.mark.django_db
def test_a_member_marks_a_resource_helpful_once_and_can_take_it_back(
    make_member: MakeMember,
) -> None:
    coordinator = make_member(coordinator=True)
    resource = article(make_member(), approved_by=coordinator)
    member = make_member()
    client = Client()
    client.force_login(member)
    url = reverse("resources:helpful", kwargs={"resource_id": resource.pk})
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "yes"})  # a second press changes nothing
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "1 member found it helpful." in page
    assert "Take back my “helpful”" in page
    resource_mark_helpful(resource=resource, member=coordinator, helpful=True)
    resource.refresh_from_db()
    assert resource.helpful_count == HelpfulMark.objects.count() == 2
    client.post(url, {"helpful": "no"})
    resource.refresh_from_db()
    assert resource.helpful_count == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_mark(make_member: MakeMember) -> None:
    resource = article(make_member(), approved_by=make_member(coordinator=True))
    member = make_member()
    HelpfulMark.objects.create(resource=resource, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpfulMark.objects.create(resource=resource, member=member)


@pytest.mark.django_db
def test_a_waiting_resource_cannot_be_marked(make_member: MakeMember) -> None:
    author = make_member()
    with pytest.raises(ResourceError, match="Only approved resources"):
        resource_mark_helpful(resource=article(author), member=author, helpful=True)


@pytest.mark.django_db
def test_the_hub_shows_the_most_helpful_first(make_member: MakeMember) -> None:
    coordinator = make_member(coordinator=True)
    older = article(make_member(), title="Older but helpful", approved_by=coordinator)
    article(make_member(), title="Newer", approved_by=coordinator)
    resource_mark_helpful(resource=older, member=make_member(), helpful=True)
    page = Client().get(reverse("resources:list")).content.decode()
    assert page.index("Older but helpful") < page.index("Newer")
    assert "1 found it helpful" in page
