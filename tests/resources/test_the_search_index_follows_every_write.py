"""The hub's full-text index (a table of its own, ``resources_resource_fts``, kept by the
database: lib/fulltext.py) follows every insert, update and deletion of resources, whether made
by the services, in bulk or by a queryset update, and reads whatever is typed as words only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.resources.models import Resource
from rankandfile.resources.search import resources_matching
from tests.personas import MakeMember


def _resource(author: User, document: str) -> Resource:
    return Resource(
        kind="article",
        title=document,
        body=document,
        author=author,
        state="approved",
        moderated_at=timezone.now(),
        search_document=document,
    )


def _found(text: str) -> list[str]:
    return sorted(r.title for r in resources_matching(Resource.objects.all(), text))


def _index_matches_the_table() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Raises if the index holds anything its table does not (or misses anything).
            cursor.execute(
                "INSERT INTO resources_resource_fts(resources_resource_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )
        else:
            cursor.execute("SELECT rowid FROM resources_resource_fts ORDER BY rowid")
            indexed = [row[0] for row in cursor.fetchall()]
            assert indexed == sorted(Resource.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_index_follows_inserts_updates_and_deletions(make_member: MakeMember) -> None:
    author = make_member()
    one = _resource(author, "Tenants organising on the Harehills estate")
    one.save()
    Resource.objects.bulk_create(
        [_resource(author, f"Nurses striking at ward {n}") for n in range(3)]
    )
    assert _found("harehills tenant") == ["Tenants organising on the Harehills estate"]
    assert len(_found("nurse strikes")) == 3
    _index_matches_the_table()

    one.search_document = "Renters singing in Chapeltown"
    one.title = "Chapeltown choir"
    one.save()
    assert _found("harehills") == [] and _found("chapeltown renters") == ["Chapeltown choir"]
    Resource.objects.filter(title__startswith="Nurses").update(search_document="Bus drivers")
    assert _found("nurses") == [] and len(_found("drivers")) == 3
    # A write that leaves the searched text alone keeps the resource found.
    Resource.objects.filter(pk=one.pk).update(helpful_count=5)
    assert _found("singing") == ["Chapeltown choir"]
    _index_matches_the_table()

    one.delete()
    Resource.objects.filter(title__startswith="Nurses").delete()
    assert _found("chapeltown") == [] and _found("drivers") == []
    _index_matches_the_table()


@pytest.mark.django_db
def test_hostile_searches_are_only_words(make_member: MakeMember) -> None:
    author = make_member()
    Resource.objects.bulk_create(
        [
            _resource(author, "Drop tables and select organisers"),
            _resource(author, "Rent strike handbook"),
        ]
    )
    hostile = [
        "'; DROP TABLE resources_resource_fts; --",
        "rent') OR 1=1 --",
        "rent\x00strike",
        "rent:* | strike & !",
        'NEAR("rent" "strike") *',
        "rent " * 5_000,
        "🏠 rent ☭ strike",
    ]
    for text in hostile:
        assert len(resources_matching(Resource.objects.all(), text)) <= 1, text
    assert _found("'; DROP TABLE organisers; --") == ["Drop tables and select organisers"]
    assert _found("rent') OR 1=1 --") == []  # "1" is a word no resource has
    assert _found("rent:* | strike & !") == ["Rent strike handbook"]
    _index_matches_the_table()
