"""Backing from the pages: a member backs with or without their name and stops; an organiser
decides for their group on a page that needs the second factor; nobody else can."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.audit.models import AuditEntry
from rankandfile.campaigns.backing_selectors import backing_summary
from rankandfile.campaigns.backings import backing_member_set
from rankandfile.campaigns.models import Backing, Campaign, CampaignState
from rankandfile.groups.models import Membership
from tests.backing.conftest import MakeCampaignGroup
from tests.personas import MakeCampaign, MakeGroup, MakeMember, login_with_second_factor


@pytest.mark.django_db
def test_a_member_backs_from_the_campaign_page_hides_then_shows_their_name_and_stops(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    member, client = make_member(display_name="Sam Backer"), Client()
    client.force_login(member)
    back = reverse("backing:member", kwargs={"kind": "campaigns", "slug": campaign.slug})
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Nobody backs it yet." in page and f'action="{back}"' in page

    response = client.post(back, follow=True)
    assert response.redirect_chain[-1][0] == f"{campaign.get_absolute_url()}#backing"
    page = response.content.decode()
    assert "You are counted, and your name is not shown." in page
    assert "Backed by 0 groups and 1 member." in page
    assert not Backing.objects.get().show_name

    page = client.post(back, {"show_name": "on"}, follow=True).content.decode()
    assert "Your display name is shown on its page." in page
    assert backing_summary(campaign).members_named == ["Sam Backer"]
    assert Backing.objects.count() == 1

    stop = reverse("backing:member_stop", kwargs={"kind": "campaigns", "slug": campaign.slug})
    page = client.post(stop, follow=True).content.decode()
    assert "You no longer back this campaign." in page and "Nobody backs it yet." in page
    assert not AuditEntry.objects.filter(action__startswith="backing.").exists()
    # A GET acts on nothing: it goes back to the campaign.
    assert client.get(back)["Location"] == f"{campaign.get_absolute_url()}#backing"
    assert not Backing.objects.exists()


@pytest.mark.django_db
def test_a_campaign_group_page_offers_backing_and_other_groups_pages_do_not(
    make_member: MakeMember, make_group: MakeGroup, make_campaign_group: MakeCampaignGroup
) -> None:
    target, branch = make_campaign_group(), make_group(kind="union_branch")
    client = Client()
    client.force_login(make_member())
    assert "Who backs it" in client.get(target.get_absolute_url()).content.decode()
    assert "Who backs it" not in client.get(branch.get_absolute_url()).content.decode()
    back = reverse("backing:member", kwargs={"kind": "groups", "slug": branch.slug})
    assert client.post(back).status_code == 404
    anonymous = Client().get(target.get_absolute_url()).content.decode()
    assert "to back it." in anonymous


@pytest.mark.django_db
def test_an_organiser_backs_with_their_group_and_withdraws_with_the_second_factor(
    make_member: MakeMember, make_group: MakeGroup, make_campaign_group: MakeCampaignGroup
) -> None:
    target = make_campaign_group(name="End Zero Hours")
    organiser = make_member(mfa=True)
    branch = make_group(name="Leeds Branch", organiser=organiser)
    url = reverse("backing:by_group", kwargs={"kind": "groups", "slug": target.slug})

    without_second_factor = Client()
    without_second_factor.force_login(organiser)
    assert without_second_factor.post(url, {"group": branch.slug}).status_code == 302
    no_mfa = Client()
    no_mfa.force_login(make_member())
    assert no_mfa.get(url)["Location"].startswith(reverse("mfa_index"))
    assert not Backing.objects.exists()

    client = Client()
    login_with_second_factor(client, organiser)
    target_page = client.get(target.get_absolute_url()).content.decode()
    assert f'href="{url}"' in target_page  # "Back it with a group you organise"
    page = client.get(url).content.decode()
    assert "Back it with Leeds Branch" in page
    page = client.post(url, {"group": branch.slug, "action": "back"}, follow=True)
    assert "Leeds Branch now backs “End Zero Hours”." in page.content.decode()
    assert "Withdraw Leeds Branch\N{RIGHT SINGLE QUOTATION MARK}s backing" in page.content.decode()
    assert backing_summary(target).groups_named == [branch]
    page = client.post(url, {"group": branch.slug, "action": "withdraw"}, follow=True)
    assert "Leeds Branch no longer backs “End Zero Hours”." in page.content.decode()
    assert backing_summary(target).groups == 0
    assert list(
        AuditEntry.objects.filter(actor_id=organiser.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["backing.group_backed", "backing.group_withdrawn"]


@pytest.mark.django_db
def test_a_member_who_is_not_an_organiser_cannot_have_a_group_back_anything(
    make_member: MakeMember, make_group: MakeGroup, make_campaign_group: MakeCampaignGroup
) -> None:
    target = make_campaign_group()
    branch = make_group()
    member = make_member(mfa=True)
    Membership.objects.create(group=branch, member=member)
    client = Client()
    login_with_second_factor(client, member)
    url = reverse("backing:by_group", kwargs={"kind": "groups", "slug": target.slug})
    assert "You do not organise any group." in client.get(url).content.decode()
    for slug in (branch.slug, "no-such-group"):
        page = client.post(url, {"group": slug, "action": "back"}, follow=True)
        said = html.unescape(page.content.decode())
        assert "Only the group's organisers can decide what it backs." in said
    assert not Backing.objects.exists()


@pytest.mark.django_db
def test_the_group_that_runs_a_campaign_is_shown_it_cannot_back_it(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    organiser = make_member(mfa=True)
    campaign = make_campaign(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("backing:by_group", kwargs={"kind": "campaigns", "slug": campaign.slug})
    page = client.get(url).content.decode()
    assert "This is the group that runs the campaign. A group cannot back itself." in page
    page = client.post(url, {"group": campaign.group.slug, "action": "back"}, follow=True)
    assert "A group cannot back its own campaign." in page.content.decode()
    assert not Backing.objects.exists()


@pytest.mark.django_db
def test_a_closed_campaign_still_lists_its_backers_who_can_only_stop(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    backer = make_member(display_name="Early Egret")
    backing_member_set(target=campaign, member=backer, show_name=True)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.WON)
    client = Client()
    client.force_login(backer)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Early Egret" in page and "Stop backing it" in page
    assert "Save my choice" not in page and ">Back it<" not in page
    newcomer = Client()
    newcomer.force_login(make_member())
    page = newcomer.get(campaign.get_absolute_url()).content.decode()
    assert "Backed by 0 groups and 1 member." in page and ">Back it<" not in page
