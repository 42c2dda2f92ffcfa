"""The introduction pages: asking from a group page and from the skill form, answering and
withdrawing, the contact setting, errors that keep what was typed, the rate limit, the home
page's "Needs you now", the organisers' list, and bounded queries however many there are."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import Skill, User
from rankandfile.accounts.rate_limits import RATE_LIMITED
from rankandfile.introductions.models import (
    Introduction,
    IntroductionContact,
    IntroductionStatus,
)
from rankandfile.introductions.services import introduction_ask_group, introduction_ask_skill
from tests.introductions.conftest import MakeIntroducible
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


def _logged_in(member: User, *, second_factor: bool = False) -> Client:
    client = Client()
    if second_factor:
        login_with_second_factor(client, member)
    else:
        client.force_login(member)
    return client


def test_a_member_asks_a_group_from_its_page_and_an_organiser_accepts_on_the_groups_list(
    make_introducible: MakeIntroducible, make_group: MakeGroup
) -> None:
    organiser = make_introducible(mfa=True)
    group = make_group(organiser=organiser, name="Leeds Tenants")
    asker = make_introducible(display_name="Robin")
    client = _logged_in(asker)
    group_page = client.get(group.get_absolute_url()).text
    ask_url = reverse("introductions:ask_group", args=[group.slug])
    assert ask_url in group_page

    response = client.post(ask_url, {"message": "I run a food bank nearby."})
    assert response.status_code == 302
    assert "Waiting for an answer" in client.get(reverse("introductions:mine")).text

    organiser_client = _logged_in(organiser, second_factor=True)
    manage = organiser_client.get(reverse("groups:manage", args=[group.slug])).text
    assert reverse("introductions:group", args=[group.slug]) in manage
    listing = organiser_client.get(reverse("introductions:group", args=[group.slug])).text
    assert "Robin" in listing and "I run a food bank nearby." in listing
    home = organiser_client.get(reverse("home")).text
    assert "Introduction: waiting for your answer" in home

    introduction = Introduction.objects.get()
    response = organiser_client.post(
        reverse("introductions:answer", args=[introduction.pk]),
        {"answer": "accept", "back": "group"},
    )
    assert response["Location"] == reverse("introductions:group", args=[group.slug])
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED
    assert introduction.decided_by == organiser and introduction.decided_at is not None
    assert organiser.email in client.get(reverse("introductions:mine")).text
    assert "Introduction: waiting for your answer" not in organiser_client.get("/").text


def test_an_organiser_declines_and_a_member_who_is_not_a_side_cannot_answer(
    make_introducible: MakeIntroducible, make_group: MakeGroup, make_member: MakeMember
) -> None:
    organiser = make_introducible(mfa=True)
    group = make_group(organiser=organiser)
    asker = make_introducible()
    introduction = introduction_ask_group(asker=asker, group=group, message="Hello")
    stranger = _logged_in(make_introducible())
    answer = reverse("introductions:answer", args=[introduction.pk])

    assert stranger.post(answer, {"answer": "accept"}).status_code == 404
    # The asker is a side, but does not answer their own request.
    _logged_in(asker).post(answer, {"answer": "accept"})
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.OPEN

    _logged_in(organiser).post(answer, {"answer": "decline"})
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED
    assert "Declined" in _logged_in(asker).get(reverse("introductions:mine")).text
    assert _logged_in(asker).get(answer)["Location"] == reverse("introductions:mine")


def test_the_skill_form_says_what_is_wrong_and_keeps_what_was_typed(
    make_introducible: MakeIntroducible, skill: Skill
) -> None:
    client = _logged_in(make_introducible(district="LS6"))
    page = client.get(reverse("introductions:ask_skill")).text
    assert 'value="LS6"' in page  # the member's own district, to start with

    response = client.post(
        reverse("introductions:ask_skill"),
        {"skill": skill.slug, "district": "LS99", "radius_km": "10", "message": "Kept words"},
    )
    assert response.status_code == 200
    assert "We do not know where the postcode district LS99 is" in response.text
    assert "Kept words" in response.text
    long = "x" * 501
    response = client.post(
        reverse("introductions:ask_skill"),
        {"skill": skill.slug, "district": "LS6", "radius_km": "10", "message": long},
    )
    assert "at most 500 characters" in response.text and long in response.text
    assert not Introduction.objects.exists()

    response = client.post(
        reverse("introductions:ask_skill"),
        {"skill": skill.slug, "district": "ls6", "radius_km": "25", "message": "Door knockers?"},
    )
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert (introduction.district, introduction.radius_km) == ("LS6", 25)


def test_a_member_without_the_consent_is_told_where_to_give_it(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    client = _logged_in(make_member())
    group = make_group()
    page = client.get(reverse("introductions:ask_group", args=[group.slug])).text
    assert "Introductions need your consent" in page
    response = client.post(
        reverse("introductions:ask_group", args=[group.slug]), {"message": "Hello there"}
    )
    assert "This needs your consent" in response.text and "Hello there" in response.text
    assert not Introduction.objects.exists()


@override_settings(
    RATE_LIMITS={"introduction": {"member": "2/h", "ip": "100/h"}},
)
def test_asking_too_often_is_refused_with_the_message_kept(
    make_introducible: MakeIntroducible, make_group: MakeGroup
) -> None:
    client = _logged_in(make_introducible())
    organiser = make_introducible(mfa=True)
    urls = [
        reverse("introductions:ask_group", args=[make_group(organiser=organiser).slug])
        for _ in range(3)
    ]
    assert client.post(urls[0], {"message": "One"}).status_code == 302
    assert client.post(urls[1], {"message": "Two"}).status_code == 302
    response = client.post(urls[2], {"message": "Three"})
    assert RATE_LIMITED in response.text and "Three" in response.text
    assert Introduction.objects.count() == 2


def test_the_contact_setting_validates_the_phone_number(
    make_introducible: MakeIntroducible,
) -> None:
    member = make_introducible()
    client = _logged_in(member)
    url = reverse("introductions:contact")
    assert member.email in client.get(url).text

    response = client.post(url, {"method": "phone", "phone": "12345"})
    assert "Enter a phone number of 10 to 15 digits" in response.text
    assert 'value="12345"' in response.text
    response = client.post(url, {"method": "phone", "phone": ""})
    assert "Enter the phone number to share, or choose email." in response.text
    assert not IntroductionContact.objects.exists()

    assert client.post(url, {"method": "phone", "phone": "0113 496 0000"}).status_code == 302
    contact = IntroductionContact.objects.get(member=member)
    assert (contact.method, contact.phone) == ("phone", "01134960000")
    client.post(url, {"method": "email", "phone": "0113 496 0000"})
    contact.refresh_from_db()
    assert (contact.method, contact.phone) == ("email", "")


def test_my_introductions_takes_the_same_few_queries_however_many_there_are(
    make_introducible: MakeIntroducible,
    make_group: MakeGroup,
    skill: Skill,
    django_assert_max_num_queries: object,
) -> None:
    organiser = make_introducible(mfa=True)
    member = make_introducible(skilled=True, district="LS6")
    organised = make_group(organiser=member)
    client = _logged_in(member)

    def ask_a_few() -> None:
        for _ in range(3):
            asker = make_introducible(district="LS6")
            introduction_ask_group(asker=asker, group=organised, message="To you")
            introduction_ask_skill(
                asker=asker, skill=skill, district="LS6", radius_km=5, message="Canvass?"
            )
            introduction_ask_group(
                asker=member, group=make_group(organiser=organiser), message="From you"
            )
            Introduction.objects.filter(asker=member, status="open").update(
                status=IntroductionStatus.DECLINED,
                decided_by=organiser,
                decided_at=timezone.now(),
            )

    ask_a_few()
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        page = client.get(reverse("introductions:mine"))
    assert page.text.count('class="card introduction"') == 9
    ask_a_few()
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        page = client.get(reverse("introductions:mine"))
    assert page.text.count('class="card introduction"') == 18


def test_the_database_refuses_states_that_do_not_fit_together(
    make_introducible: MakeIntroducible, make_group: MakeGroup
) -> None:
    asker = make_introducible()
    introduction = introduction_ask_group(asker=asker, group=make_group(), message="Hi")
    bad_updates = [
        {"status": IntroductionStatus.ACCEPTED},  # accepted by nobody, at no time
        {"status": IntroductionStatus.WITHDRAWN},  # withdrawn at no time
        {"decided_at": timezone.now()},  # open, yet decided
        # (Not a message too long: it is stored encrypted, so the service checks its length.)
        {"message": ""},
        {"district": "LS6"},  # a request to a group is not near a district
    ]
    for update in bad_updates:
        with pytest.raises(IntegrityError), transaction.atomic():
            Introduction.objects.filter(pk=introduction.pk).update(**update)
