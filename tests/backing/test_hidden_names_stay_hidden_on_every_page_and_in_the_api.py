"""A member who backs without their name, and a hidden group that backs, are never named: not
on the campaign's page, the campaign group's page, the "Campaigns to back" page, nor in the
API. Members who chose to show their name, and public groups, are named."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.campaigns.backings import backing_group_create, backing_member_set
from rankandfile.groups.models import Membership
from tests.backing.conftest import MakeCampaignGroup
from tests.personas import MakeCampaign, MakeGroup, MakeMember, login_with_second_factor

QUIET, LOUD = "Quiet Quokka", "Loud Lark"
SECRET, OPEN = "Secret Caucus Zeta", "Open Branch Alpha"


@pytest.mark.django_db
def test_hidden_names_stay_hidden_on_every_page_and_in_the_api(
    make_member: MakeMember,
    make_group: MakeGroup,
    make_campaign: MakeCampaign,
    make_campaign_group: MakeCampaignGroup,
) -> None:
    campaign = make_campaign()
    zero_hours = make_campaign_group(name="End Zero Hours")
    organiser = make_member(mfa=True)
    secret = make_group(name=SECRET, visibility="hidden", organiser=organiser)
    public = make_group(name=OPEN, organiser=organiser)
    quiet = make_member(display_name=QUIET)
    loud = make_member(display_name=LOUD)
    for target in (campaign, zero_hours):
        for group in (secret, public):
            backing_group_create(target=target, group=group, organiser=organiser)
        backing_member_set(target=target, member=quiet, show_name=False)
        backing_member_set(target=target, member=loud, show_name=True)

    # Anyone, someone else, and a member of the hidden group itself.
    insider = make_member(mfa=True)
    Membership.objects.create(group=secret, member=insider)
    viewers = [Client(), Client(), Client()]
    login_with_second_factor(viewers[1], make_member(mfa=True))
    login_with_second_factor(viewers[2], insider)
    target_pages = [campaign.get_absolute_url(), zero_hours.get_absolute_url()]
    for client in viewers:
        for url in target_pages:
            page = client.get(url).content.decode()
            assert QUIET not in page and SECRET not in page, url
            assert LOUD in page and OPEN in page, url
            assert "Backed by 2 groups and 2 members." in page
            assert f"{OPEN}</a> and 1 other group whose members alone may see it." in page
        listing = client.get(reverse("backing:list")).content.decode()
        assert QUIET not in listing and SECRET not in listing and LOUD not in listing
        assert listing.count("Backed by 2 groups and 2 members.") == 2

    _, token = api_token_create(member=insider, name="phone", scope=TokenScope.READ_WRITE)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    answers = [
        client.get(f"/api/v1/campaigns/{campaign.slug}", **auth),  # type: ignore[arg-type]
        client.get("/api/v1/groups", {"kind": "campaign"}, **auth),  # type: ignore[arg-type]
        client.post(
            f"/api/v1/groups/{zero_hours.slug}/backing",
            {"show_name": False},
            content_type="application/json",
            **auth,  # type: ignore[arg-type]
        ),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.content
        body = answer.content.decode()
        assert QUIET not in body and SECRET not in body and LOUD not in body
    assert answers[0].json()["backing"] == {"groups": 2, "members": 2}
    assert answers[2].json() == {"show_name": False, "backing": {"groups": 2, "members": 3}}
