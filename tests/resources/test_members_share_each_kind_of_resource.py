"""Contributing: an article (Markdown, sanitised), a link and a video (http or https only; a
video is a link, never embedded), a file, a reading list; tagged by issue; only to one's own
groups, and never public in a hidden group. Errors keep what the member typed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import IssueTag
from rankandfile.groups.models import Membership
from rankandfile.groups.services import group_join
from rankandfile.resources.models import Resource
from rankandfile.resources.services import ResourceDraft, ResourceError, resource_create
from tests.personas import MakeGroup, MakeMember
from tests.resources.resource_helpers import article


def _new(kind: str) -> str:
    return reverse("resources:new_kind", kwargs={"kind": kind})


@pytest.mark.django_db
def test_the_kinds_page_leads_to_a_form_for_each_kind(make_member: MakeMember) -> None:
    client = Client()
    client.force_login(make_member())
    page = client.get(reverse("resources:new")).content.decode()
    for kind in ("article", "link", "video", "file", "reading_list", "toolkit"):
        assert f'href="{_new(kind)}"' in page
        assert client.get(_new(kind)).status_code == 200
    assert client.get(_new("program")).status_code == 404


@pytest.mark.django_db
def test_an_article_is_sanitised_and_tagged(make_member: MakeMember) -> None:
    client = Client()
    client.force_login(make_member())
    housing = IssueTag.objects.get_or_create(slug="housing", defaults={"name": "Housing"})[0]
    response = client.post(
        _new("article"),
        {
            "title": "Tenants' rights",
            "body": "**Know** them.\n\n<script>alert(1)</script> [x](javascript:alert(1))",
            "audience": "public",
            "issues": [housing.pk],
        },
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "<strong>Know</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript' not in page
    assert "Housing" in page and "Waiting for approval" in page
    assert list(resource.issues.all()) == [housing]


@pytest.mark.django_db
def test_a_video_is_shown_as_a_link_and_only_web_addresses_are_taken(
    make_member: MakeMember,
) -> None:
    client = Client()
    client.force_login(make_member())
    refused = client.post(
        _new("video"), {"title": "Strike talk", "url": "javascript:alert(1)", "audience": "public"}
    )
    assert refused.status_code == 400
    assert "starting with https://" in refused.content.decode()
    assert 'value="Strike talk"' in refused.content.decode()
    client.post(
        _new("video"),
        {"title": "Strike talk", "url": "https://video.example.org/watch/1", "audience": "public"},
    )
    page = client.get(Resource.objects.get().get_absolute_url()).content.decode()
    assert 'href="https://video.example.org/watch/1" rel="nofollow noopener noreferrer"' in page
    assert "<iframe" not in page and "<video" not in page


@pytest.mark.django_db
def test_an_article_needs_its_text(make_member: MakeMember) -> None:
    client = Client()
    client.force_login(make_member())
    response = client.post(_new("article"), {"title": "Empty", "body": "", "audience": "public"})
    assert response.status_code == 400
    assert not Resource.objects.exists()


@pytest.mark.django_db
def test_resources_go_only_to_ones_own_groups_and_never_public_in_a_hidden_one(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    hidden = make_group(visibility="hidden")
    with pytest.raises(ResourceError, match="only to your own groups"):
        article(member, group=hidden)
    group_join(group=make_group(), member=member)
    draft = ResourceDraft(kind="article", title="T", body="B", group=hidden, audience="public")
    Membership.objects.create(group=hidden, member=member)
    with pytest.raises(ResourceError, match="hidden group"):
        resource_create(author=member, draft=draft)
    draft.audience = "members"
    assert resource_create(author=member, draft=draft).group == hidden
