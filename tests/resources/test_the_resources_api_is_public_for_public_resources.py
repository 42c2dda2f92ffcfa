"""The API: public resources without a token; a member's token shows what the member sees; a
token that does not work is refused rather than read as nobody; files come with a link signed
for the asker."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.groups.services import group_join
from rankandfile.resources.services import ResourceDraft, resource_create, resource_moderate
from tests.personas import MakeGroup, MakeMember
from tests.resources.resource_helpers import article
from tests.resources.uploads import pdf_upload

LIST = reverse("api-v1:resource_list")


@pytest.mark.django_db
def test_public_resources_without_a_token_and_members_ones_with(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member = make_member()
    group_join(group=group, member=member)
    article(member, title="For everyone", group=group, approved_by=organiser)
    article(member, title="For us", group=group, audience="members", approved_by=organiser)
    assert [r["title"] for r in Client().get(LIST).json()] == ["For us", "For everyone"][1:]
    _, token = api_token_create(member=member, name="phone", scope=TokenScope.READ)
    with_token = Client(headers={"Authorization": f"Bearer {token}"})
    assert {r["title"] for r in with_token.get(LIST).json()} == {"For us", "For everyone"}
    refused = Client(headers={"Authorization": "Bearer rf_not-a-token"}).get(LIST)
    assert refused.status_code == 401


@pytest.mark.django_db
def test_a_files_detail_has_a_download_link_signed_for_the_asker(
    make_member: MakeMember,
) -> None:
    draft = ResourceDraft(kind="file", title="Leaflet", summary="Rights at work")
    resource = resource_create(author=make_member(), draft=draft, upload=pdf_upload())
    resource_moderate(resource=resource, moderator=make_member(coordinator=True), approve=True)
    client = Client()
    detail = client.get(reverse("api-v1:resource_read", kwargs={"resource_id": resource.pk}))
    body = detail.json()
    assert (body["kind"], body["file_type"], body["file_name"]) == (
        "file",
        "application/pdf",
        "leaflet.pdf",
    )
    assert client.get(body["file_download"]).status_code == 200


@pytest.mark.django_db
def test_odd_input_is_answered_without_a_server_error(make_member: MakeMember) -> None:
    client = Client()
    for query in (
        {"q": "\x00" * 5},
        {"q": "x" * 5000},
        {"page": "-3"},
        {"page": "99999999999"},
        {"kind": "nope"},
        {"issue": "'; drop"},
    ):
        assert client.get(LIST, query).status_code in (200, 422), query
    assert client.get("/api/v1/resources/99999999").status_code == 404
