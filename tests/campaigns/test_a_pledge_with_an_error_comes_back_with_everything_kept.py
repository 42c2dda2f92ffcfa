"""A pledge form with an error comes back at once (no redirect) with every tick and typed value
kept, the error summary at the top of the form and the message beside the field; the amount's
label says what the amount is for, and it sits with the option that asks it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.campaigns.models import Pledge
from rankandfile.campaigns.services import OptionInput, campaign_create, campaign_open
from tests.personas import MakeGroup, MakeMember, stage_inputs

AMOUNT_LABEL = "Amount you will stop paying each month (£)"


@pytest.mark.django_db
def test_a_missing_amount_brings_the_form_back_with_the_ticks_kept(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    first = stage_inputs()[0]
    options = [
        OptionInput(key="stop-dues", label="Cancel my direct debit"),
        OptionInput(
            key="stop-paying",
            label="Stop paying my subscription",
            asks_amount=True,
            amount_label=AMOUNT_LABEL,
        ),
    ]
    campaign = campaign_create(
        organiser=organiser,
        group=make_group(organiser=organiser),
        title="Publish the report",
        target="the executive",
        explanation="Publish it.",
        demands=["Publish the report"],
        stages=[replace(first, options=options)],
    )
    campaign_open(campaign=campaign, organiser=organiser)
    client = Client()
    client.force_login(make_member())
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f'<label for="id_amount">{AMOUNT_LABEL}' in page
    assert 'data-shown-by="id_options_1"' in page  # shown with "Stop paying my subscription"

    response = client.post(
        reverse("campaigns:pledge", kwargs={"slug": campaign.slug}),
        {"options": ["stop-dues", "stop-paying"], "amount": ""},
    )

    assert response.status_code == 200
    assert not Pledge.objects.exists()
    page = response.content.decode()
    message = "Enter the amount in pounds for “Stop paying my subscription”."
    assert response.context["form"].errors["amount"] == [message]
    assert page.index("data-error-summary") < page.index('id="id_options_0"')
    assert '<a href="#id_amount">' in page
    assert 'id="id_amount_error"' in page
    assert 'value="stop-dues" id="id_options_0" checked' in page.replace("\n", " ")
    assert 'value="stop-paying" id="id_options_1" checked' in page.replace("\n", " ")
