"""A file is served only through a signed link made for one viewer that expires: an altered
link is a 404, an expired one (or one made for someone else) a 403, each with a page that
says what happened and where to get a fresh link."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.resources.files import _LINK_SALT, file_link_token
from rankandfile.resources.models import Resource
from rankandfile.resources.services import ResourceDraft, resource_create, resource_moderate
from tests.personas import MakeMember
from tests.resources.uploads import pdf_bytes, pdf_upload


def _public_pdf(make_member: MakeMember) -> tuple[Resource, User]:
    author = make_member()
    draft = ResourceDraft(kind="file", title="Leaflet", audience="public")
    resource = resource_create(author=author, draft=draft, upload=pdf_upload("rights.pdf"))
    coordinator = make_member(coordinator=True)
    return resource_moderate(resource=resource, moderator=coordinator, approve=True), author


def _link(token: str) -> str:
    return reverse("resources:file", kwargs={"token": token})


def _link_from_the_page(client: Client, resource: Resource) -> str:
    page = client.get(resource.get_absolute_url()).content.decode()
    start = page.index('href="/resources/files/') + len('href="')
    return page[start : page.index('"', start)]


@pytest.mark.django_db
def test_the_link_on_the_page_downloads_the_file(make_member: MakeMember) -> None:
    resource, _ = _public_pdf(make_member)
    client = Client()
    member = make_member()
    client.force_login(member)
    response = client.get(_link_from_the_page(client, resource))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="rights.pdf"'
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_someone_not_logged_in_downloads_a_public_file_with_their_own_link(
    make_member: MakeMember,
) -> None:
    resource, _ = _public_pdf(make_member)
    client = Client()
    assert client.get(_link_from_the_page(client, resource)).status_code == 200


@pytest.mark.django_db
def test_an_altered_link_is_refused(make_member: MakeMember) -> None:
    resource, author = _public_pdf(make_member)
    token = file_link_token(resource_id=resource.pk, viewer_id=author.pk)
    client = Client()
    client.force_login(author)
    other = "A" if token[-1] != "A" else "B"
    for altered in (token[:-1] + other, token[:-6], token.replace(":", "x", 1), "made-up"):
        response = client.get(_link(altered))
        assert response.status_code == 404
        assert "This download link does not work" in response.content.decode()
    # A link to another resource cannot be made by changing the id inside it.
    signature = token.partition(":")[2]
    forged = signing.b64_encode(b'{"r":999,"m":%d}' % author.pk).decode() + ":" + signature
    assert client.get(_link(forged)).status_code == 404


@pytest.mark.django_db
def test_an_expired_link_is_refused_with_a_way_to_a_fresh_one(make_member: MakeMember) -> None:
    resource, author = _public_pdf(make_member)

    class AnHourAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(signing.time.time()) - 3600)  # type: ignore[attr-defined]

    old = AnHourAgo(salt=_LINK_SALT).sign_object({"r": resource.pk, "m": author.pk})
    client = Client()
    client.force_login(author)
    response = client.get(_link(old))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This download link has expired" in page
    assert f'href="{resource.get_absolute_url()}"' in page
    # The same link made now works.
    fresh = file_link_token(resource_id=resource.pk, viewer_id=author.pk)
    assert client.get(_link(fresh)).status_code == 200


@pytest.mark.django_db
def test_a_link_made_for_someone_else_is_refused(make_member: MakeMember) -> None:
    resource, author = _public_pdf(make_member)
    token = file_link_token(resource_id=resource.pk, viewer_id=author.pk)
    other = Client()
    other.force_login(make_member())
    response = other.get(_link(token))
    assert response.status_code == 403
    assert "made for someone else" in response.content.decode()
    assert Client().get(_link(token)).status_code == 403  # nor to someone not logged in


@pytest.mark.django_db
def test_a_link_stops_working_when_the_resource_is_no_longer_visible(
    make_member: MakeMember,
) -> None:
    author = make_member()
    draft = ResourceDraft(kind="file", title="Leaflet", audience="public")
    pending = resource_create(author=author, draft=draft, upload=pdf_upload())
    outsider = make_member()
    client = Client()
    client.force_login(outsider)
    token = file_link_token(resource_id=pending.pk, viewer_id=outsider.pk)
    assert client.get(_link(token)).status_code == 404
