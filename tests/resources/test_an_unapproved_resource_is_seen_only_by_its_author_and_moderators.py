"""Moderation: a resource waits for an organiser of its group (or a network coordinator, for a
network-wide one). Until then only its author and its moderators see it: on its page, in the
hub and its search, and in the API. Approving and rejecting are audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.audit.models import AuditEntry
from rankandfile.groups.models import Group
from rankandfile.groups.services import group_join
from rankandfile.resources.models import Resource
from rankandfile.resources.services import ResourceError, resource_moderate
from tests.personas import MakeGroup, MakeMember, login_with_second_factor
from tests.resources.resource_helpers import article

TITLE = "Organising a rent strike"


def _sees(client: Client, resource: Resource) -> dict[str, bool]:
    """Where the client finds the resource: its page, the hub, a search for it, the API's
    list and search, and the API's detail."""
    search = {"q": "rent strike"}
    api = reverse("api-v1:resource_list")
    return {
        "page": client.get(resource.get_absolute_url()).status_code == 200,
        "hub": TITLE in client.get(reverse("resources:list")).content.decode(),
        "search": TITLE in client.get(reverse("resources:list"), search).content.decode(),
        "api list": TITLE in client.get(api).content.decode(),
        "api search": TITLE in client.get(api, search).content.decode(),
        "api detail": client.get(
            reverse("api-v1:resource_read", kwargs={"resource_id": resource.pk})
        ).status_code
        == 200,
    }


EVERYWHERE = dict.fromkeys(["page", "hub", "search", "api list", "api search", "api detail"], True)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


def _client(member: User | None, *, second_factor: bool = False) -> Client:
    client = Client()
    if member is not None and second_factor:
        login_with_second_factor(client, member)
    elif member is not None:
        client.force_login(member)
    return client


def _group_with_people(
    make_member: MakeMember, make_group: MakeGroup
) -> tuple[Group, User, User, User]:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    author, member = make_member(), make_member()
    for person in (author, member):
        group_join(group=group, member=person)
    return group, organiser, author, member


@pytest.mark.django_db
def test_a_waiting_group_resource_is_seen_by_its_author_and_the_groups_organisers_only(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, organiser, author, member = _group_with_people(make_member, make_group)
    resource = article(author, title=TITLE, group=group, body="Tenants organise together.")
    coordinator = make_member(coordinator=True)  # a group's resources are not theirs to decide
    assert _sees(_client(author), resource) == EVERYWHERE
    for other in (None, member, coordinator, make_member()):
        assert _sees(_client(other), resource) == NOWHERE, other
    # The organiser finds it in the moderation queue and on its page, not in the hub's lists.
    moderator = _client(organiser, second_factor=True)
    queue = moderator.get(reverse("resources:moderation")).content.decode()
    assert TITLE in queue
    assert moderator.get(resource.get_absolute_url()).status_code == 200
    assert TITLE not in moderator.get(reverse("resources:list")).content.decode()
    response = moderator.post(
        reverse("resources:moderate", kwargs={"resource_id": resource.pk}),
        {"decision": "approve"},
    )
    assert response.status_code == 302
    for reader in (None, member, coordinator, author):
        assert _sees(_client(reader), resource) == EVERYWHERE
    entry = AuditEntry.objects.get(action="resource.approve")
    assert (entry.actor_id, entry.target_id) == (organiser.pk, str(resource.pk))
    assert entry.details == {"kind": "article", "group": group.pk}


@pytest.mark.django_db
def test_a_network_wide_resource_waits_for_a_network_coordinator(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    _, organiser, author, _ = _group_with_people(make_member, make_group)
    resource = article(author, title=TITLE)
    coordinator = make_member(coordinator=True)
    assert _sees(_client(organiser), resource) == NOWHERE
    with pytest.raises(ResourceError, match="Only its group's organisers"):
        resource_moderate(resource=resource, moderator=organiser, approve=True)
    client = _client(coordinator, second_factor=True)
    assert TITLE in client.get(reverse("resources:moderation")).content.decode()
    organiser_queue = _client(organiser, second_factor=True).get(reverse("resources:moderation"))
    assert TITLE not in organiser_queue.content.decode()
    client.post(
        reverse("resources:moderate", kwargs={"resource_id": resource.pk}),
        {"decision": "approve"},
    )
    assert _sees(_client(None), resource) == EVERYWHERE


@pytest.mark.django_db
def test_a_rejected_resource_stays_visible_to_its_author_only(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, organiser, author, member = _group_with_people(make_member, make_group)
    resource = article(author, title=TITLE, group=group)
    resource_moderate(resource=resource, moderator=organiser, approve=False)
    assert _sees(_client(author), resource) == EVERYWHERE
    assert (
        "A moderator did not approve it"
        in _client(author).get(resource.get_absolute_url()).content.decode()
    )
    assert _sees(_client(member), resource) == NOWHERE
    assert _sees(_client(organiser), resource)["page"] is True  # still theirs to look at
    assert AuditEntry.objects.filter(action="resource.reject").count() == 1
    with pytest.raises(ResourceError, match="already decided"):
        resource_moderate(resource=resource, moderator=organiser, approve=True)


@pytest.mark.django_db
def test_a_members_resource_is_read_by_its_groups_members_only(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, organiser, author, member = _group_with_people(make_member, make_group)
    resource = article(author, title=TITLE, group=group, audience="members", approved_by=organiser)
    assert _sees(_client(member), resource) == EVERYWHERE
    assert _sees(_client(None), resource) == NOWHERE
    assert _sees(_client(make_member()), resource) == NOWHERE


@pytest.mark.django_db
def test_the_moderation_queue_is_only_for_moderators(make_member: MakeMember) -> None:
    client = _client(make_member(mfa=True), second_factor=True)
    assert client.get(reverse("resources:moderation")).status_code == 404
