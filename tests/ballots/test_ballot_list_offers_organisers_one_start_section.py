"""The ballot list offers an organiser a way to start a ballot once, in the page, not its title."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.personas import MakeGroup


def test_an_organisers_ballot_list_has_a_plain_title_and_one_start_section(
    client: Client, make_group: MakeGroup
) -> None:
    group = make_group(name="Leeds North")
    client.force_login(group.memberships.get().member)

    html = client.get(reverse("ballots:list")).content.decode()

    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    assert title is not None
    assert title.group(1).startswith("Ballots · ")
    assert html.count("Start a ballot") == 1
    assert html.count("New ballot for Leeds North") == 1
