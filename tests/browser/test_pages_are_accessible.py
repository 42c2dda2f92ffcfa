from __future__ import annotations

from typing import Any

import pytest

from rankandfile.groups.services import group_join
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db(transaction=True)
def test_home_group_and_profile_pages_have_no_serious_axe_violations(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(name="Leeds Tenants", districts=["LS6", "LS7"])
    member = make_member(email="reader@example.org")
    group_join(group=group, member=member)

    for path in [
        "/",
        "/groups/",
        f"/groups/{group.slug}/",
        "/accounts/signup/",
        "/accounts/login/",
        "/privacy/",
    ]:
        page.goto(path)
        assert serious_violations(page) == [], path

    log_in(page, "reader@example.org")
    for path in ["/", f"/groups/{group.slug}/", "/me/", "/me/consents/"]:
        page.goto(path)
        assert serious_violations(page) == [], path


@pytest.mark.django_db(transaction=True)
def test_the_organiser_page_has_no_serious_axe_violations(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True)
    group = make_group(organiser=organiser, visibility="listed")
    log_in_with_second_factor(page, "organiser@example.org")
    page.goto(f"/groups/{group.slug}/manage/")
    page.get_by_role("heading", name=f"Organise {group.name}").wait_for()
    assert serious_violations(page) == []
