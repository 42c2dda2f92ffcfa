"""Personas for the introduction tests: members who consent to introductions (or not), with
a skill, in a district; API clients by personal token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Skill, TokenScope, User
from rankandfile.accounts.services import api_token_create
from tests.personas import MakeMember

WITH_INTRODUCTIONS = (ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS)

MakeIntroducible = Callable[..., User]


@pytest.fixture
def skill(db: None) -> Skill:
    # Seeded by a migration, but a transactional test before this one may have emptied the table.
    skill, _ = Skill.objects.get_or_create(
        slug="canvassing", defaults={"name": "Canvassing and door-knocking"}
    )
    return skill


@pytest.fixture
def make_introducible(make_member: MakeMember, skill: Skill) -> MakeIntroducible:
    """A member who consents to introductions; ``skilled`` adds the canvassing skill."""

    def make(*, skilled: bool = False, **kwargs: object) -> User:
        member = make_member(consents=WITH_INTRODUCTIONS, **kwargs)
        if skilled:
            member.skills.add(skill)
        return member

    return make


def api_client(member: User) -> Client:
    _, token = api_token_create(member=member, name="phone", scope=TokenScope.READ)
    return Client(headers={"Authorization": f"Bearer {token}"})
