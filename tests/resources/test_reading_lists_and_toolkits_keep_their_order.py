"""Reading lists and toolkits: ordered collections their author fills from resources' pages,
reorders and trims; a reader sees only the items they may read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.resources.services import (
    ResourceDraft,
    ResourceError,
    collection_item_add,
    resource_create,
    resource_moderate,
)
from tests.personas import MakeMember
from tests.resources.resource_helpers import article


@pytest.mark.django_db
def test_a_member_builds_a_reading_list_from_resources_pages(
    make_member: MakeMember, django_assert_max_num_queries: Any
) -> None:
    coordinator = make_member(coordinator=True)
    author = make_member()
    reading = resource_create(
        author=author, draft=ResourceDraft(kind="reading_list", title="Start here")
    )
    resource_moderate(resource=reading, moderator=coordinator, approve=True)
    first, second, third = (
        article(make_member(), title=f"Part {n}", approved_by=coordinator) for n in (1, 2, 3)
    )
    client = Client()
    client.force_login(author)
    for resource in (first, second, third):
        page = client.get(resource.get_absolute_url()).content.decode()
        assert "Add it to my reading list or toolkit" in page
        client.post(
            reverse("resources:collect", kwargs={"resource_id": resource.pk}),
            {"collection": reading.pk},
        )
    items = list(reading.items.order_by("position"))
    assert [i.resource_id for i in items] == [first.pk, second.pk, third.pk]
    item_url = reverse("resources:item", kwargs={"resource_id": reading.pk, "item_id": items[2].pk})
    client.post(item_url, {"action": "up"})
    client.post(
        reverse("resources:item", kwargs={"resource_id": reading.pk, "item_id": items[0].pk}),
        {"action": "remove"},
    )
    with django_assert_max_num_queries(12):
        page = Client().get(reading.get_absolute_url()).content.decode()
    assert page.index("Part 3") < page.index("Part 2") and "Part 1" not in page
    with pytest.raises(ResourceError, match="already in"):
        collection_item_add(collection=reading, resource=second, member=author)
    with pytest.raises(ResourceError, match="only your own"):
        collection_item_add(collection=reading, resource=first, member=coordinator)


@pytest.mark.django_db
def test_a_reader_sees_only_the_items_they_may_read(make_member: MakeMember) -> None:
    coordinator = make_member(coordinator=True)
    author = make_member()
    toolkit = resource_create(author=author, draft=ResourceDraft(kind="toolkit", title="Kit"))
    resource_moderate(resource=toolkit, moderator=coordinator, approve=True)
    waiting = article(author, title="Not yet approved")
    collection_item_add(collection=toolkit, resource=waiting, member=author)
    assert "Not yet approved" not in Client().get(toolkit.get_absolute_url()).content.decode()
    client = Client()
    client.force_login(author)
    assert "Not yet approved" in client.get(toolkit.get_absolute_url()).content.decode()
