from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, connections

from rankandfile.accounts.models import User
from rankandfile.campaigns.models import OptionTally, Pledge, RegionTally, StageTally
from rankandfile.campaigns.services import AlreadyPledgedError, pledge_create
from tests.personas import MakeCampaign

PLEDGERS = 200


def _members(n: int) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"crowd{i}@example.org", display_name=f"Crowd {i}", postcode_district=d)
        for i, d in zip(range(n), ["LS6", "M14", "E8", "G42"] * n, strict=False)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    return users


@pytest.mark.django_db(transaction=True)
def test_200_members_pledging_at_once_give_an_exact_count(make_campaign: MakeCampaign) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises every write).")
    stage = make_campaign(people=10).stages.get(number=1)
    members = _members(PLEDGERS)

    def pledge(member: User) -> str:
        try:
            pledge_create(stage=stage, member=member, option_keys=["claim-back"], amount_pence=1000)
            # A second attempt by the same member is refused: one pledge each.
            pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
        except AlreadyPledgedError:
            return "ok"
        finally:
            connections.close_all()
        return "double"

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(pledge, members))
    assert outcomes == ["ok"] * PLEDGERS
    tally = StageTally.objects.get(stage=stage)
    assert Pledge.objects.filter(stage=stage).count() == PLEDGERS
    assert (tally.pledges, tally.amount_pence) == (PLEDGERS, PLEDGERS * 1000)
    assert (
        OptionTally.objects.get(option__key="claim-back", option__stage=stage).pledges == PLEDGERS
    )
    assert (
        sum(RegionTally.objects.filter(stage=stage).values_list("pledges", flat=True)) == PLEDGERS
    )
