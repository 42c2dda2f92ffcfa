"""The hub's search over 10,000 resources answers in a bounded number of queries, on the page
and in the API, finding by words (stemmed, every one needed) and ordering by helpful marks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.resources.models import Resource
from rankandfile.resources.search import resources_matching
from tests.personas import MakeMember

TOPICS = ["housing", "health service", "low pay", "zero-hours contracts", "education"]


def _hub(author: User, count: int = 10_000) -> None:
    now = timezone.now()
    rows = []
    for n in range(count):
        topic = TOPICS[n % len(TOPICS)]
        title = f"Guide {n} on {topic}"
        summary = "How members organise their workplaces and neighbourhoods."
        rows.append(
            Resource(
                kind="article",
                title=title,
                summary=summary,
                body=f"Notes on {topic}.",
                author=author,
                state="approved" if n % 10 else "pending",
                moderated_at=now if n % 10 else None,
                helpful_count=n % 97,
                search_document=f"{title}\n{summary}\nNotes on {topic}.",
            )
        )
    Resource.objects.bulk_create(rows, batch_size=1000)


@pytest.mark.django_db
def test_search_on_ten_thousand_resources_answers_in_bounded_queries(
    make_member: MakeMember, django_assert_max_num_queries: Any
) -> None:
    _hub(make_member())
    reader = make_member()
    client = Client()
    client.force_login(reader)
    # Session and member, issues for the form, the count, the page, the page's issues.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("resources:list"), {"q": "zero hours"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2000 resources found." in page  # a fifth of them are about zero-hours contracts
    helpful = [r.helpful_count for r in response.context["page_obj"]]
    assert helpful == sorted(helpful, reverse=True) and helpful[0] == 96
    with django_assert_max_num_queries(4):
        api = Client().get(reverse("api-v1:resource_list"), {"q": "organising workplace housing"})
    assert api.status_code == 200 and len(api.json()) == 50
    assert all("housing" in row["title"] for row in api.json())
    # A tenth wait for approval (every other housing guide): they are not found.
    housing = client.get(reverse("resources:list"), {"q": "housing"})
    assert "1000 resources found." in housing.content.decode()


@pytest.mark.django_db
def test_search_stems_words_and_ignores_syntax(make_member: MakeMember) -> None:
    _hub(make_member(), count=50)
    everything = Resource.objects.all()
    assert resources_matching(everything, "organising").count() == 50  # stem of "organise"
    assert resources_matching(everything, "Education").count() == 10  # any case
    assert resources_matching(everything, "notes on the housing").count() == 10  # common words
    assert resources_matching(everything, "housing pay").count() == 0  # every word is needed
    # Quotes, operators and brackets are never read as search syntax.
    for odd in ['"housing', "housing AND (", "(housing)", "housing*:&|!", "-housing"]:
        assert resources_matching(everything, odd).count() == 10, odd
    assert resources_matching(everything, "  ").count() == 50
