"""An organiser uploads a CSV on a phone, sees the guessed columns and the bad rows on an
accessible preview page, and confirms: the invitations are queued once."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.groups.models import Invitation
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember

CSV = (
    b"email,first_name,last_name,zip_code\n"
    b"ann@example.org,Ann,Lee,LS6\n"
    b"not-an-address,Bo,Ray,LS7\n"
    b"ann@example.org,Ann,Again,LS6\n"
)


@pytest.mark.django_db(transaction=True)
def test_an_organiser_imports_a_csv_checks_the_rows_and_confirms(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True)
    group = make_group(organiser=organiser, name="Leeds Renters")
    log_in_with_second_factor(page, "organiser@example.org")

    page.goto(f"/groups/{group.slug}/manage/")
    page.get_by_role("link", name="Invite many people from a CSV file").click()
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    page.get_by_role("button", name="Upload and check").click()

    page.get_by_role("heading", name="Check the import for Leeds Renters").wait_for()
    assert page.get_by_label("Email address column").input_value() == "0"
    assert page.get_by_text("1 row can be invited; 2 cannot.").is_visible()
    problems = page.locator("table", has_text="Reason")
    assert problems.get_by_text("Not a valid email address").is_visible()
    assert problems.get_by_text("Duplicate of line 2 in this file").is_visible()
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Send 1 invitation").click()
    page.get_by_text("1 invitation will be sent by email.").wait_for()
    assert Invitation.objects.filter(group=group).count() == 1
