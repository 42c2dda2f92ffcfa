from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from rankandfile.groups.services import group_join
from tests.browser.accessibility import serious_violations
from tests.personas import TEST_PASSWORD, TOTP_SECRET, MakeGroup, MakeMember


def _log_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("link", name="Your profile").wait_for()


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
    ]:
        page.goto(path)
        assert serious_violations(page) == [], path

    _log_in(page, "reader@example.org")
    for path in ["/", f"/groups/{group.slug}/", "/me/", "/me/consents/"]:
        page.goto(path)
        assert serious_violations(page) == [], path


@pytest.mark.django_db(transaction=True)
def _totp_code_with_time_to_spare() -> str:
    """The current TOTP code, or the next one if the current has under 5 seconds to live: a
    code typed at the end of its 30-second step is checked in the next step, which refuses it
    (allauth allows no tolerance), and the test would fail one run in a few dozen."""
    totp = pyotp.TOTP(TOTP_SECRET)
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left)  # waiting for the wall clock's next step, not for another thread
    return totp.now()


def test_the_organiser_page_has_no_serious_axe_violations(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True)
    group = make_group(organiser=organiser, visibility="listed")
    page.goto("/accounts/login/")
    page.get_by_role("textbox", name="Email").fill("organiser@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_label("Code:").fill(_totp_code_with_time_to_spare())
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("link", name="Your profile").wait_for()
    page.goto(f"/groups/{group.slug}/manage/")
    page.get_by_role("heading", name=f"Organise {group.name}").wait_for()
    assert serious_violations(page) == []
