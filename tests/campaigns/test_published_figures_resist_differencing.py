"""The published figures resist differencing (issue 14, finding 5).

The attacker can pledge with fake accounts, vouch as an organiser, knows members' districts and
reads every published figure (the page, its totals fragment, the embed, counter.json, the API,
the organisers' page) as often as they like. Each attack below is played as they would play
it, through the real services and pages, and two things are shown:

- between two releases, reading again and again, before and after the target's pledge, shows
  exactly the same breakdown: only the live people count moves (which says nobody's name);
- across a release, what the attacker then reads is what they would have read had the target
  not pledged (or pledged otherwise), with noise one step away: the two possible worlds are
  run one after the other (each undone afterwards) and give the same published figures. How
  likely one noise draw is against the other is bounded by the Laplace mechanism's epsilon,
  checked with OpenDP's own privacy map in the last test.

The noise is a stand-in given to the release service, so that the tests are deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from itertools import count

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.accounts.services import member_signup_complete
from rankandfile.campaigns import figures
from rankandfile.campaigns.figures import Noise
from rankandfile.campaigns.models import Campaign, Stage
from rankandfile.campaigns.services import pledge_create, stage_figures_release, vouch_create
from rankandfile.groups.services import group_join
from tests.personas import MakeCampaign, login_with_second_factor

_numbers = count(1)


def _member(district: str) -> User:
    """A member of the platform (with a verified email, who may pledge), built through the
    real sign-up service; without a password, as none of them logs in with one here."""
    member = User.objects.create_user(f"figures-{next(_numbers)}@example.org")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member_signup_complete(
        member=member,
        display_name=f"Member {member.pk}",
        postcode_district=district,
        consents=[ConsentPurpose.MEMBERSHIP],
    )


def _members(districts: Mapping[str, int]) -> list[User]:
    return [_member(district) for district, n in districts.items() for _ in range(n)]


def _pledge(stage: Stage, members: list[User], *options: str, amount: int | None = None) -> None:
    for member in members:
        pledge_create(stage=stage, member=member, option_keys=options, amount_pence=amount)


def _organiser_client(member: User) -> Client:
    """Log in to organiser pages, with the second factor they ask for."""
    client = Client()
    login_with_second_factor(client, member)
    return client


def _without_people(html: str) -> str:
    """The page without the live people count (and the clock's "time left")."""
    html = re.sub(r'<dd id="pledge-count">.*?</dd>', "", html, flags=re.S)
    return re.sub(r"\([^()]* left\)", "", html)


def _seen(client: Client, campaign: Campaign, *, manage: bool = False) -> dict[str, object]:
    """Every published figure of the campaign, from every place that publishes one, except the
    live people count (allowed to move by one: it says nobody's name)."""
    cache.clear()  # the attacker waits out the counter's one-second copy
    slug = campaign.slug
    page = client.get(campaign.get_absolute_url()).content.decode()
    section = re.search(r'<section id="totals".*?</section>', page, flags=re.S)
    assert section is not None
    breakdown = re.search(r'<section id="breakdown".*?</section>', page, flags=re.S)
    assert breakdown is not None
    fragment = client.get(reverse("campaigns:totals", kwargs={"slug": slug})).content.decode()
    embed = client.get(reverse("campaigns:embed", kwargs={"slug": slug})).content.decode()
    counter = client.get(reverse("campaigns:counter", kwargs={"slug": slug})).json()
    api = client.get(f"/api/v1/campaigns/{slug}").json()
    seen: dict[str, object] = {
        "page": _without_people(section.group(0)),
        "totals": _without_people(fragment),
        # The breakdown's words, without its markup: "LS about 12", "Other areas about 29".
        "breakdown": " ".join(re.sub(r"<[^>]+>", " ", breakdown.group(0)).split()),
        "embed": re.sub(r'<p class="embed-count">.*?<span>', "", embed, flags=re.S),
        "counter": {k: v for k, v in counter.items() if k != "pledges"},
        "api": [{k: v for k, v in s.items() if k != "pledges"} for s in api["stages"]],
    }
    if manage:
        page = client.get(reverse("campaigns:manage", kwargs={"slug": slug})).content.decode()
        table = re.search(r"<tbody>.*?</tbody>", page, flags=re.S)
        assert table is not None
        seen["manage"] = re.sub(r"<td>\d+ of \d+</td>|<td>fewer than 5 of \d+</td>", "", table[0])
    return seen


def _people(client: Client, campaign: Campaign) -> int | None:
    cache.clear()
    counter = client.get(reverse("campaigns:counter", kwargs={"slug": campaign.slug})).json()
    return counter["pledges"]  # type: ignore[no-any-return]


def _noise(shift: Mapping[str, int] | None = None) -> Noise:
    """The stand-in for OpenDP's draw: +2 on every figure, and ``shift`` more on some."""
    extra = shift or {}

    def draw(name: str, value: int, scale: float) -> int:
        return value + 2 + extra.get(name, 0)

    return draw


@contextmanager
def _possible_world() -> Iterator[None]:
    """Everything done inside is undone afterwards, so that two worlds start from one past."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


def _release(stage: Stage, *, hours: int, noise: Noise) -> None:
    """A release, as the clock's job makes it, ``hours`` into the stage."""
    opened = stage.deadline - timedelta(days=42)
    stage_figures_release(stage_id=stage.pk, now=opened + timedelta(hours=hours), noise=noise)


def _reads_are_the_same_however_often(client: Client, campaign: Campaign, expected: object) -> None:
    for _ in range(10):
        assert _seen(client, campaign) == expected


@pytest.mark.django_db
def test_a_subtracting_other_areas_does_not_reveal_a_pledge_in_a_small_area(
    make_campaign: MakeCampaign,
) -> None:
    """(a) Four fake accounts in ZE1 pledge, then the target in ZE2: ZE has few members, so it
    is never shown on its own, and "other areas" moves only at a release, with noise."""
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    _members({"LS6": 50})  # LS is big enough to be listed; ZE, M and E are not
    target = _member("ZE2")
    _pledge(stage, _members({"LS6": 10, "M14": 12}), "stop-dues")
    _pledge(stage, _members({"E8": 11}), "claim-back", amount=48_00)
    fakes = _members({"ZE1": 4})
    _pledge(stage, fakes, "stop-dues")
    attacker = Client()
    attacker.force_login(fakes[0])
    _release(stage, hours=1, noise=_noise())
    before = _seen(attacker, campaign)
    assert "Other areas about 29" in str(before["breakdown"]) and "ZE" not in str(
        before["breakdown"]
    )

    with _possible_world():
        _pledge(stage, [target], "stop-dues")
        _reads_are_the_same_however_often(attacker, campaign, before)
        assert _people(attacker, campaign) == 38  # the live count moved; it names nobody
        _release(stage, hours=25, noise=_noise())
        pledged = _seen(attacker, campaign)
    with _possible_world():
        _release(stage, hours=25, noise=_noise({"area:": +1, "option:stop-dues": +1}))
        not_pledged = _seen(attacker, campaign)

    assert pledged == not_pledged
    assert "ZE" not in str(pledged["breakdown"])  # five ZE pledges, and still no ZE figure


@pytest.mark.django_db
def test_b_fake_pledgers_in_the_targets_district_cannot_tell_whether_the_target_pledged(
    make_campaign: MakeCampaign,
) -> None:
    """(b) Four fake accounts in the target's own district pledge, then the attacker watches
    that district's area figure."""
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    _members({"LS6": 50})
    target = _member("LS6")
    _pledge(stage, _members({"LS6": 6, "M14": 8}), "stop-dues")
    _pledge(stage, _members({"E8": 10}), "claim-back", amount=48_00)
    fakes = _members({"LS6": 4})
    _pledge(stage, fakes, "stop-dues")
    attacker = Client()
    attacker.force_login(fakes[0])
    _release(stage, hours=1, noise=_noise())
    before = _seen(attacker, campaign)
    assert "LS about 12" in str(before["breakdown"])

    with _possible_world():
        _pledge(stage, [target], "stop-dues")
        _reads_are_the_same_however_often(attacker, campaign, before)
        _release(stage, hours=25, noise=_noise())
        pledged = _seen(attacker, campaign)
    with _possible_world():
        _release(stage, hours=25, noise=_noise({"area:LS": +1, "option:stop-dues": +1}))
        not_pledged = _seen(attacker, campaign)

    assert pledged == not_pledged
    assert "LS about 13" in str(pledged["breakdown"])  # the area is published, with its noise


@pytest.mark.django_db
def test_c_an_organiser_vouching_for_the_target_and_fakes_cannot_tell_whether_they_pledged(
    make_campaign: MakeCampaign,
) -> None:
    """(c) An organiser vouches for the target and four fake accounts, and watches the vouched
    figure (and the organisers' own page)."""
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    organiser = campaign.group.memberships.get().member
    target = _member("LS6")
    fakes = _members({"LS6": 4})
    for member in [target, *fakes]:
        group_join(group=campaign.group, member=member)
        vouch_create(group=campaign.group, organiser=organiser, member=member)
    _pledge(stage, _members({"LS6": 10}), "stop-dues")
    _pledge(stage, _members({"M14": 10}), "claim-back", amount=48_00)
    _pledge(stage, fakes, "stop-dues")
    attacker = _organiser_client(organiser)
    _release(stage, hours=1, noise=_noise())
    before = _seen(attacker, campaign, manage=True)
    assert "Vouched for by an organiser about 6" in str(before["breakdown"])

    with _possible_world():
        _pledge(stage, [target], "stop-dues")
        for _ in range(10):
            assert _seen(attacker, campaign, manage=True) == before
        _release(stage, hours=25, noise=_noise())
        pledged = _seen(attacker, campaign, manage=True)
    with _possible_world():
        _release(stage, hours=25, noise=_noise({"verified": +1, "option:stop-dues": +1}))
        not_pledged = _seen(attacker, campaign, manage=True)

    assert pledged == not_pledged
    assert "Vouched for by an organiser about 7" in str(pledged["breakdown"])


@pytest.mark.django_db
def test_d_reading_just_before_and_after_a_pledge_does_not_reveal_its_amount_or_options(
    make_campaign: MakeCampaign,
) -> None:
    """(d) The attacker reads the option and amount figures just before and just after one
    pledge, to learn its private amount and options."""
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    target = _member("LS6")
    _pledge(stage, _members({"LS6": 12}), "stop-dues")
    _pledge(stage, _members({"M14": 12}), "claim-back", amount=96_00)
    reader = Client()
    reader.force_login(_member("E8"))
    _release(stage, hours=1, noise=_noise())
    before = _seen(reader, campaign)
    assert before["counter"]["amount_pence"] == 1_200_00  # type: ignore[index]

    with _possible_world():
        _pledge(stage, [target], "claim-back", amount=240_00)
        _reads_are_the_same_however_often(reader, campaign, before)
        _release(stage, hours=25, noise=_noise())
        claimed = _seen(reader, campaign)
    with _possible_world():  # the target pledged too, but only to cancel their direct debit
        _pledge(stage, [target], "stop-dues")
        _release(
            stage,
            hours=25,
            noise=_noise({"option:claim-back": +1, "option:stop-dues": -1, "amount": 240_00}),
        )
        cancelled = _seen(reader, campaign)

    assert claimed == cancelled
    assert claimed["counter"]["amount_pence"] == 1_400_00  # type: ignore[index]


@pytest.mark.django_db
def test_a_breakdown_is_not_published_before_its_first_release(
    make_campaign: MakeCampaign,
) -> None:
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    _pledge(stage, _members({"LS6": 30}), "claim-back", amount=50_00)
    reader = Client()
    reader.force_login(_member("E8"))
    seen = _seen(reader, campaign)
    assert seen["counter"] == {  # type: ignore[comparison-overlap]
        "slug": campaign.slug,
        "title": campaign.title,
        "state": "open",
        "stage": 1,
        "deadline": stage.deadline.isoformat(),
        "amount_pence": None,
        "figures_as_of": None,
    }
    first = seen["api"][0]  # type: ignore[index]
    assert first["verified_pledges"] is None and first["amount_pence"] is None
    assert {o["pledges"] for o in first["options"]} == {None}
    assert _people(reader, campaign) == 30  # live


def test_the_noise_gives_each_kind_of_figure_its_epsilon_per_release() -> None:
    """OpenDP's own privacy map: one pledge moves a head count by 1, the option counts by at
    most the number of options together, the capped amount by at most the cap."""
    measurement = figures.laplace_measurement
    assert measurement(figures.count_scale()).map(1) <= figures.EPSILON
    assert measurement(figures.options_scale(3)).map(3) <= figures.EPSILON
    assert measurement(figures.amount_scale()).map(figures.AMOUNT_CAP_PENCE) <= figures.EPSILON
    assert figures.EPSILON <= 0.5
