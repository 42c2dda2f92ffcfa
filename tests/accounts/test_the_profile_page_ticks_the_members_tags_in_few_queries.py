"""The profile page (/me/), among the pages members open most: its issue and skill
checkboxes are Django's own markup, with the member's own ticked, and the page takes the
same few queries however many tags, tokens and ticks there are."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.forms import ProfileForm
from rankandfile.accounts.models import IssueTag, Skill, TokenScope
from rankandfile.accounts.services import api_token_create
from tests.personas import MakeMember

# The session, the member, whether they have a second factor, their issues, every issue,
# their skills, every skill, their API tokens.
PROFILE_QUERIES = 8


@pytest.mark.django_db
def test_the_tag_checkboxes_are_djangos_markup_with_the_members_ticked(
    make_member: MakeMember,
) -> None:
    member = make_member()
    member.interests.set(IssueTag.objects.order_by("pk")[:3])
    form = ProfileForm(initial={"interests": member.interests.all(), "skills": []})
    plain = forms.CheckboxSelectMultiple()
    for name in ("interests", "skills"):
        field = form[name]
        plain.choices = field.field.choices  # type: ignore[attr-defined]
        expected = plain.render(
            field.html_name, field.value(), attrs={"id": field.auto_id}, renderer=form.renderer
        )
        assert str(field) == expected
    assert str(form["interests"]).count(" checked>") == 3
    assert str(form["skills"]).count(" checked>") == 0


@pytest.mark.django_db
def test_the_profile_page_takes_the_same_few_queries(
    client: Client, make_member: MakeMember
) -> None:
    member = make_member()
    client.force_login(member)
    client.get(reverse("accounts:profile"))  # the first request of a session does its own work
    counts = []
    for ticks in (0, 5):
        member.interests.set(IssueTag.objects.order_by("pk")[:ticks])
        member.skills.set(Skill.objects.order_by("pk")[:ticks])
        api_token_create(member=member, name=f"token {ticks}", scope=TokenScope.READ)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("accounts:profile"))
        counts.append(len(queries.captured_queries))  # now, before the next request
        assert response.status_code == 200
        # the member's ticks, and the new token's scope (read) ticked
        assert response.text.count(" checked>") == 2 * ticks + 1
    assert counts == [PROFILE_QUERIES, PROFILE_QUERIES], counts
