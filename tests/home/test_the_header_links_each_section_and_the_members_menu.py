"""Every page's header: the sections (Groups, Campaigns, Ballots, the current one marked), and
either Log in and Sign up, or the member's menu with their settings and a log-out button."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.personas import MakeGroup, MakeMember


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def _current(header: str) -> dict[str, str]:
    """The links marked current, by their words, with the aria-current value."""
    return {
        text: value for value, text in re.findall(r'aria-current="(\w+)"[^>]*>([^<]+)</a>', header)
    }


@pytest.mark.django_db
def test_anonymous_visitors_get_the_sections_and_log_in_or_sign_up(
    make_group: MakeGroup,
) -> None:
    header = _header(Client().get(reverse("campaigns:list")).text)
    for name in [
        "groups:list",
        "campaigns:list",
        "ballots:list",
        "account_login",
        "account_signup",
    ]:
        assert f'href="{reverse(name)}"' in header, name
    assert 'class="member-menu"' not in header
    assert _current(header) == {"Campaigns": "page"}

    group = make_group(name="Headingley Branch")
    header = _header(Client().get(group.get_absolute_url()).text)
    assert _current(header) == {"Groups": "true"}  # in the section, not on its list


@pytest.mark.django_db
def test_a_member_gets_a_menu_with_their_settings_and_a_log_out_button(
    make_member: MakeMember,
) -> None:
    client = Client()
    client.force_login(make_member())
    header = _header(client.get(reverse("notifications:preferences")).text)
    menu = header[header.index('<details class="member-menu">') : header.index("</details>")]
    for href in [
        reverse("accounts:profile"),
        reverse("accounts:consents"),
        reverse("notifications:preferences"),
        reverse("accounts:profile") + "#tokens-title",
    ]:
        assert f'href="{href}"' in menu, href
    assert f'<form method="post" action="{reverse("account_logout")}">' in menu
    assert "csrfmiddlewaretoken" in menu
    assert _current(header) == {"Email notifications": "page"}
    assert reverse("account_login") not in header

    profile = client.get(reverse("accounts:profile")).text
    assert 'id="tokens-title"' in profile  # where "API tokens" leads
