"""Every amount input refuses what is not a sensible sum of money with a clear client error:
NaN, sNaN, infinities, huge exponents, negative and absurd amounts (never a 500)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.campaigns.models import Campaign, Pledge
from rankandfile.lib.money import AmountError, pence_from_pounds
from tests.personas import MakeCampaign, MakeGroup, MakeMember, login_with_second_factor

NOT_AMOUNTS = [
    "NaN",
    "nan",
    "sNaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "1e999999999",
    "-5",
    "0",
    "0.001",
    "100000001",
    "twelve",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_the_pounds_parser_refuses_what_is_not_a_sum_of_money(text: str) -> None:
    with pytest.raises(AmountError):
        pence_from_pounds(text, most_pence=100_000_00)


@pytest.mark.parametrize(
    ("text", "pence"), [("240", 24000), ("£1,240.50", 124050), ("0.01", 1), ("1E+2", 10000)]
)
def test_the_pounds_parser_reads_pounds_and_pence(text: str, pence: int) -> None:
    assert pence_from_pounds(text, most_pence=100_000_00) == pence


@pytest.mark.django_db
@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_the_pledge_page_refuses_the_amount_with_a_form_error(
    make_member: MakeMember, make_campaign: MakeCampaign, text: str
) -> None:
    campaign = make_campaign(people=3)
    client = Client()
    client.force_login(make_member())
    response = client.post(
        reverse("campaigns:pledge", kwargs={"slug": campaign.slug}),
        {"options": ["claim-back"], "amount": text},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not Pledge.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        '"NaN"',
        '"sNaN"',
        '"Infinity"',
        '"1e999"',
        "-5",
        "0",
        "12.5",
        "100000000000000000000000000000",
    ],
)
@pytest.mark.parametrize("by_token", [True, False])
def test_the_pledge_api_refuses_the_amount_with_a_clear_client_error(
    make_member: MakeMember, make_campaign: MakeCampaign, raw: str, by_token: bool
) -> None:
    campaign = make_campaign(people=3)
    member = make_member()
    client = Client()
    headers = {}
    if by_token:
        _, token = api_token_create(member=member, name="script", scope=TokenScope.READ_WRITE)
        headers = {"Authorization": f"Bearer {token}"}
    else:
        client.force_login(member)
    response = client.post(
        f"/api/v1/campaigns/{campaign.slug}/pledges",
        '{"options": ["claim-back"], "amount_pence": ' + raw + "}",  # raw JSON, NaN included
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code in (400, 422), response.content
    assert "amount" in response.content.decode()
    assert not Pledge.objects.exists()


FORM = {
    "title": "Publish the report",
    "target": "the national executive",
    "explanation": "Together we ask the executive to publish the report.",
    "demands": "Publish the report",
    "stage1-title": "Withhold subscriptions",
    "stage1-deadline": "2030-01-10T12:00",
    "stage1-options": "Cancel my direct debit",
    "stage1-action_instructions": "Cancel your direct debit.",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("threshold_pounds", "NaN"),
        ("threshold_pounds", "sNaN"),
        ("threshold_pounds", "Infinity"),
        ("threshold_pounds", "-Infinity"),
        ("threshold_pounds", "1e999"),
        ("threshold_pounds", "-5"),
        ("threshold_pounds", "99999999999999999999999999"),
        ("threshold_people", "NaN"),
        ("threshold_people", "Infinity"),
        ("threshold_people", "99999999999999999999999999"),
    ],
)
def test_the_draft_form_refuses_a_threshold_that_is_not_a_sensible_number(
    make_member: MakeMember, make_group: MakeGroup, field: str, value: str
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    response = client.post(
        reverse("campaigns:new", kwargs={"group_slug": group.slug}),
        FORM | {f"stage1-{field}": value},
    )
    assert response.status_code == 200
    assert response.context["stage_forms"][0].errors[field]
    assert not Campaign.objects.exists()
