"""Helpers for ballot tests: many voters at once, receipts, casting a whole ballot file."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from itertools import count

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.accounts.services import consents_give_in_bulk
from rankandfile.ballots.models import Ballot
from rankandfile.ballots.services import QuestionInput, ballot_create
from rankandfile.groups.models import Group, Membership
from tests.personas import TEST_PASSWORD

_batch = count(1)


def voters_make(group: Group, n: int) -> list[User]:
    """``n`` members of ``group`` with consent to membership, created in a few queries.

    Members are normally made through the sign-up services (tests/conftest.py), a dozen queries
    each, too many for thousands of voters. These get, in a few bulk inserts, exactly the rows a
    signed-up member has that a ballot looks at, and the personas' password.
    """
    password = make_password(TEST_PASSWORD)
    batch = next(_batch)
    users = User.objects.bulk_create(
        User(
            email=f"voter{batch}-{i}@example.org",
            display_name=f"Voter {batch}-{i}",
            password=password,
        )
        for i in range(n)
    )
    if not users or users[0].pk is None:  # backends that do not return ids from bulk_create
        # Emails are encrypted at rest: found by their digests, not by a prefix.
        users = list(User.objects.filter(email__in=[u.email for u in users]))
    consents_give_in_bulk(members=users, purpose=ConsentPurpose.MEMBERSHIP)
    Membership.objects.bulk_create(Membership(group=group, member=u) for u in users)
    return users


def receipt_new() -> tuple[str, str]:
    """A receipt code as the browser makes it, and the SHA-256 hex that is sent with the ballot."""
    code = secrets.token_hex(16)
    return code, hashlib.sha256(code.encode()).hexdigest()


def receipt_hash() -> str:
    return receipt_new()[1]


def ballot_make(
    *,
    organiser: User,
    group: Group | None,
    questions: list[QuestionInput] | None = None,
    title: str = "Branch ballot",
    hours_open: int = 24,
) -> Ballot:
    now = timezone.now()
    return ballot_create(
        creator=organiser,
        group=group,
        title=title,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=hours_open),
        questions=questions
        or [
            QuestionInput(text="Strike on 1 May?", method="yesno", quorum=2),
            QuestionInput(
                text="Branch committee",
                method="scottish-stv",
                choices=["Ann", "Bob", "Cat"],
                seats=2,
            ),
        ],
    )
