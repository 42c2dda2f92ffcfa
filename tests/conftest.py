"""Personas built through the real services, never fixture dumps."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from itertools import count

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import Settings

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.accounts.services import member_signup_complete
from rankandfile.campaigns.models import Campaign
from rankandfile.campaigns.services import campaign_create, campaign_open
from rankandfile.groups.models import Group
from rankandfile.groups.services import GroupDetails, group_create
from tests.personas import (
    TEST_PASSWORD,
    TOTP_SECRET,
    MakeCampaign,
    MakeGroup,
    MakeMember,
    stage_inputs,
)

_numbers = count(1)

# In CI the property tests draw the same examples every run, so that a submission is judged on
# its own code, not on the luck of the draw; on a developer's machine they keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    """Tests hash passwords with MD5: Argon2id (production: rankandfile/accounts/hashers.py)
    takes tens of milliseconds a hash on purpose, and every persona has a password. What is
    hashed, and how often, does not change;
    tests/accounts/test_passwords_are_hashed_with_argon2id_at_owasp_parameters.py checks
    production's hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production serves static files under hashed names that `collectstatic` writes; tests render
    # pages without running it (tests/site/test_static_files_are_hashed_and_compressed.py runs it).
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    settings.WHITENOISE_USE_FINDERS = True
    # A read replica that is the test database itself (Django's test mirror), for the tests of
    # the replica router (tests/site/test_read_replica_router.py); they turn READ_REPLICA on.
    if "replica" not in settings.DATABASES:
        settings.DATABASES["replica"] = copy.deepcopy(settings.DATABASES["default"]) | {
            "TEST": {"MIRROR": "default"}
        }


@pytest.fixture
def make_member(db: None) -> MakeMember:
    def make(
        *,
        email: str | None = None,
        display_name: str | None = None,
        district: str = "LS6",
        consents: Iterable[ConsentPurpose] = (ConsentPurpose.MEMBERSHIP,),
        mfa: bool = False,
        coordinator: bool = False,
    ) -> User:
        n = next(_numbers)
        member = User.objects.create_user(email or f"member{n}@example.org", TEST_PASSWORD)
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        member_signup_complete(
            member=member,
            display_name=display_name or f"Comrade {n}",
            postcode_district=district,
            consents=consents,
        )
        if mfa or coordinator:
            TOTP.activate(member, TOTP_SECRET)
        if coordinator:
            member.is_network_coordinator = True
            member.save(update_fields=["is_network_coordinator"])
        return member

    return make


@pytest.fixture
def make_group(make_member: MakeMember) -> MakeGroup:
    def make(
        *,
        visibility: str = "public",
        organiser: User | None = None,
        name: str | None = None,
        kind: str = "local_branch",
        districts: Iterable[str] = ("LS6",),
    ) -> Group:
        organiser = organiser or make_member(mfa=True)
        return group_create(
            creator=organiser,
            details=GroupDetails(
                name=name or f"Group {next(_numbers)}",
                kind=kind,
                description="A group for tests.",
                visibility=visibility,
                districts=districts,
                issues=[],
            ),
        )

    return make


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and copies of database rows live in the cache: each test starts with none
    (and from an empty database, whose ids may repeat)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Files members upload (the resource hub) go to a fresh temporary folder in each test,
    never into the checkout."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture
def make_campaign(make_member: MakeMember, make_group: MakeGroup) -> MakeCampaign:
    def make(
        *, people: int = 3, amount_pence: int | None = None, organiser: User | None = None
    ) -> Campaign:
        organiser = organiser or make_member(mfa=True)
        group = make_group(organiser=organiser)
        campaign = campaign_create(
            organiser=organiser,
            group=group,
            title="Publish the report",
            target="the party's national executive",
            explanation="We ask the executive to publish the report and act on it.",
            demands=["Publish the report in full", "Act on its findings"],
            stages=stage_inputs(people=people, amount_pence=amount_pence),
        )
        return campaign_open(campaign=campaign, organiser=organiser)

    return make
