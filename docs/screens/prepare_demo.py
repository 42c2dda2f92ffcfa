"""Add to the demo network what the screenshots need and the demo lacks: two ballots of the
demo organiser's group, one still open and one closed with its results published.

Run after `rankandfile demo`, with the same environment (DATABASE_URL...), from the checkout:

    python docs/screens/prepare_demo.py

Everything goes through the real services (ballot_create, ballot_open, ballot_cast,
ballot_close). Running it again changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import sys
from datetime import timedelta
from pathlib import Path

# Read by take_screens.py too, which finds the pages by these names.
DEMO_GROUP_SLUG = "leeds-north-west-branch-left"
OPEN_BALLOT_TITLE = "Should the branch back the members' ultimatum?"
CLOSED_BALLOT_TITLE = "Branch committee election 2026"


def _receipt_hash() -> str:
    """The SHA-256 of a receipt code, as a voter's browser sends it."""
    return hashlib.sha256(secrets.token_hex(16).encode()).hexdigest()


def prepare() -> None:
    from django.utils import timezone

    from rankandfile.accounts.models import User
    from rankandfile.ballots.models import Ballot, RollEntry
    from rankandfile.ballots.services import (
        QuestionInput,
        ballot_cast,
        ballot_close,
        ballot_create,
        ballot_open,
    )
    from rankandfile.demo.services import DEMO_MEMBER_EMAIL, DEMO_ORGANISER_EMAIL
    from rankandfile.groups.models import Group

    organiser = User.objects.get(email=DEMO_ORGANISER_EMAIL)
    group = Group.objects.get(slug=DEMO_GROUP_SLUG, memberships__member=organiser)
    rng = random.Random(2026)
    now = timezone.now()

    def voters(ballot: Ballot) -> list[User]:
        # Everyone on the roll but the demo member, who is left to vote in the open ballot.
        on_roll = RollEntry.objects.filter(ballot=ballot).values("member_id")
        roll = User.objects.filter(pk__in=on_roll).exclude(email=DEMO_MEMBER_EMAIL)
        return list(roll.order_by("pk"))

    if not Ballot.objects.filter(group=group, title=CLOSED_BALLOT_TITLE).exists():
        ballot = ballot_create(
            creator=organiser,
            group=group,
            title=CLOSED_BALLOT_TITLE,
            description="Two places on the branch committee, and this year's affiliation.",
            opens_at=now,  # ballot_create refuses an opening time in the past
            closes_at=now + timedelta(days=7),
            questions=[
                QuestionInput(
                    text="Elect two members to the branch committee",
                    method="scottish-stv",
                    choices=["Amina K.", "Bernard O.", "Carys W.", "Dev P."],
                    seats=2,
                ),
                QuestionInput(text="Affiliate to the trades council?", method="yesno"),
            ],
        )
        ballot = ballot_open(ballot=ballot)
        for voter in voters(ballot):
            ranking = rng.sample([1, 2, 3, 4], rng.randint(1, 4))
            answer = rng.choices(["yes", "no", "abstain"], weights=[6, 3, 1])[0]
            ballot_cast(
                ballot=ballot,
                member=voter,
                receipt_hash=_receipt_hash(),
                answers={"1": ranking, "2": answer},
            )
        ballot_close(ballot=ballot, actor=organiser)  # early, as its rules allow

    if not Ballot.objects.filter(group=group, title=OPEN_BALLOT_TITLE).exists():
        ballot = ballot_create(
            creator=organiser,
            group=group,
            title=OPEN_BALLOT_TITLE,
            description="The branch's voice in the national campaign.",
            opens_at=now,  # ballot_create refuses an opening time in the past
            closes_at=now + timedelta(days=10),
            questions=[QuestionInput(text="Back the members' ultimatum?", method="yesno")],
        )
        ballot = ballot_open(ballot=ballot)
        for voter in voters(ballot)[::2]:
            ballot_cast(
                ballot=ballot,
                member=voter,
                receipt_hash=_receipt_hash(),
                answers={"1": rng.choice(["yes", "yes", "no"])},
            )


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rankandfile.settings")
    import django

    django.setup()
    prepare()
    print(f"Ballots ready: {OPEN_BALLOT_TITLE!r} (open), {CLOSED_BALLOT_TITLE!r} (results).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
