"""Only the group's organisers edit, preview and delete a draft, and only while it is a draft;
opening it, deleting it and withdrawing a pledge each ask first on a page that says what will
happen, and a GET on those addresses leads back to the page with the button."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.audit.models import AuditEntry
from rankandfile.campaigns.errors import CampaignError
from rankandfile.campaigns.models import Campaign, CampaignState, Pledge
from rankandfile.campaigns.services import (
    campaign_create,
    campaign_delete,
    campaign_open,
    campaign_update,
    pledge_create,
)
from rankandfile.groups.services import group_join
from tests.campaigns.draft_form import campaign_fields, stage_fields
from tests.personas import MakeGroup, MakeMember, login_with_second_factor, stage_inputs


def _draft(make_member: MakeMember, make_group: MakeGroup) -> tuple[Campaign, Client]:
    organiser = make_member(mfa=True)
    draft = campaign_create(
        organiser=organiser,
        group=make_group(organiser=organiser),
        title="Publish the report",
        target="the national executive",
        explanation="We ask the executive to publish the report.",
        demands=["Publish the report in full"],
        stages=stage_inputs(),
    )
    client = Client()
    login_with_second_factor(client, organiser)
    return draft, client


def _url(name: str, campaign: Campaign) -> str:
    return reverse(f"campaigns:{name}", kwargs={"slug": campaign.slug})


@pytest.mark.django_db
def test_an_organiser_edits_previews_and_deletes_a_draft_after_confirming(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    draft, client = _draft(make_member, make_group)
    manage = client.get(_url("manage", draft)).content.decode()
    for name in ["edit", "preview", "delete", "open"]:
        assert _url(name, draft) in manage

    form = client.get(_url("edit", draft))
    assert form.context["form"]["title"].value() == "Publish the report"
    assert [f["title"].value() for f in form.context["stage_forms"]] == [
        "Withhold our subscriptions",
        "Leave together",
    ]
    edited = client.post(
        _url("edit", draft),
        campaign_fields("Publish the whole report") | stage_fields(1, "Withhold dues", days=9),
    )
    assert edited["Location"] == _url("manage", draft)
    draft.refresh_from_db()
    assert draft.title == "Publish the whole report"
    assert [s.title for s in draft.stages.all()] == ["Withhold dues"]

    preview = client.get(_url("preview", draft))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: not open yet" in page and "Publish the whole report" in page
    assert '<fieldset class="pledge-fields" disabled>' in page
    assert reverse("campaigns:pledge", kwargs={"slug": draft.slug}) not in page
    assert Client().get(draft.get_absolute_url()).status_code == 404  # still private

    assert client.get(_url("delete", draft))["Location"] == _url("manage", draft)
    asked = client.post(_url("delete", draft))
    assert asked.status_code == 200
    assert "Delete the draft “Publish the whole report”?" in asked.content.decode()
    assert "deleted for good" in asked.content.decode()
    assert Campaign.objects.filter(pk=draft.pk).exists()
    deleted = client.post(_url("delete", draft), {"confirmed": "yes"})
    assert deleted["Location"] == reverse("groups:manage", kwargs={"slug": draft.group.slug})
    assert not Campaign.objects.filter(pk=draft.pk).exists()
    assert list(
        AuditEntry.objects.filter(target_type="campaign", target_id=str(draft.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["campaign.created", "campaign.updated", "campaign.deleted"]


@pytest.mark.django_db
def test_nobody_else_edits_previews_or_deletes_a_draft(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    draft, _ = _draft(make_member, make_group)
    member = make_member(mfa=True)
    group_join(group=draft.group, member=member)
    client = Client()
    login_with_second_factor(client, member)
    assert client.get(_url("edit", draft)).status_code == 404
    assert client.get(_url("preview", draft)).status_code == 404
    assert client.post(_url("edit", draft), campaign_fields("Hijacked")).status_code == 404
    assert client.post(_url("delete", draft), {"confirmed": "yes"}).status_code == 404
    assert client.post(_url("open", draft), {"confirmed": "yes"}).status_code == 404
    draft.refresh_from_db()
    assert draft.title == "Publish the report" and draft.state == CampaignState.DRAFT
    assert Client().get(_url("preview", draft))["Location"].startswith("/accounts/login")


@pytest.mark.django_db
def test_an_open_campaign_is_opened_after_confirming_and_then_never_edited_or_deleted(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    draft, client = _draft(make_member, make_group)
    assert client.get(_url("open", draft))["Location"] == _url("manage", draft)
    asked = client.post(_url("open", draft))
    page = asked.content.decode()
    assert "Open “Publish the report” for pledges?" in page
    assert "Stage 1, “Withhold our subscriptions”, takes pledges until" in page
    assert 'name="confirmed" value="yes"' in page
    draft.refresh_from_db()
    assert draft.state == CampaignState.DRAFT

    opened = client.post(_url("open", draft), {"confirmed": "yes"})
    assert opened["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.state == CampaignState.OPEN

    assert client.get(_url("edit", draft))["Location"] == _url("manage", draft)
    assert client.post(_url("edit", draft), campaign_fields("Changed"))["Location"] == _url(
        "manage", draft
    )
    assert client.get(_url("preview", draft))["Location"] == draft.get_absolute_url()
    client.post(_url("delete", draft), {"confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.title == "Publish the report"


@pytest.mark.django_db
def test_withdrawing_a_pledge_asks_first(make_member: MakeMember, make_group: MakeGroup) -> None:
    organiser = make_member(mfa=True)
    campaign = campaign_create(
        organiser=organiser,
        group=make_group(organiser=organiser),
        title="Publish the report",
        target="the national executive",
        explanation="Publish it.",
        demands=["Publish the report"],
        stages=stage_inputs(),
    )
    campaign_open(campaign=campaign, organiser=organiser)
    member = make_member()
    pledge_create(stage=campaign.stages.get(number=1), member=member, option_keys=["stop-dues"])
    client = Client()
    client.force_login(member)
    withdraw = _url("withdraw", campaign)
    assert client.get(withdraw)["Location"] == campaign.get_absolute_url()
    asked = client.post(withdraw)
    assert "Withdraw your pledge?" in asked.content.decode()
    assert Pledge.objects.filter(member=member).exists()
    client.post(withdraw, {"confirmed": "yes"})
    assert not Pledge.objects.filter(member=member).exists()


@pytest.mark.django_db
def test_the_services_update_and_delete_only_drafts_and_only_for_organisers(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    draft, _ = _draft(make_member, make_group)
    organiser = draft.group.memberships.get().member
    words = {
        "title": "Changed",
        "target": "them",
        "explanation": "Why.",
        "demands": ["One"],
        "stages": stage_inputs()[:1],
    }
    stranger = make_member(mfa=True)
    with pytest.raises(CampaignError, match="Only the group's organisers"):
        campaign_update(campaign=draft, organiser=stranger, **words)
    with pytest.raises(CampaignError, match="Only the group's organisers"):
        campaign_delete(campaign=draft, organiser=stranger)

    campaign_open(campaign=draft, organiser=organiser)
    with pytest.raises(CampaignError, match="Only a draft can be edited"):
        campaign_update(campaign=draft, organiser=organiser, **words)
    with pytest.raises(CampaignError, match="Only a draft can be deleted"):
        campaign_delete(campaign=draft, organiser=organiser)
    draft.refresh_from_db()
    assert draft.title == "Publish the report" and draft.stages.count() == 2
