"""Issue 20: a member uploads a PDF resource for their group; another member cannot find it
until an organiser approves it from the moderation queue; then the other member finds it by
search and downloads it through its signed link. No serious axe violation on the resource
pages, phone or desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rankandfile.groups.services import group_join
from rankandfile.resources.models import Resource
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember
from tests.resources.uploads import pdf_bytes

TITLE = "Know your rights at work"


def _accessible_at_both_widths(page: Any, where: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], (where, width)
    page.set_viewport_size({"width": 390, "height": 844})


def _search(page: Any, words: str) -> None:
    page.goto("/resources/")
    page.get_by_label("Words to look for").fill(words)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/resources/?q=*")


@pytest.mark.django_db(transaction=True)
def test_a_member_shares_a_pdf_a_moderator_approves_it_and_another_finds_it(
    page: Any, make_member: MakeMember, make_group: MakeGroup, tmp_path: Path
) -> None:
    organiser = make_member(email="ola@example.org", display_name="Ola", mfa=True)
    group = make_group(name="Leeds Workers", organiser=organiser)
    for email, name in (("rosa@example.org", "Rosa"), ("amir@example.org", "Amir")):
        group_join(group=group, member=make_member(email=email, display_name=name))
    leaflet = tmp_path / "rights-leaflet.pdf"
    leaflet.write_bytes(pdf_bytes(TITLE))

    # Rosa shares the PDF with the group.
    log_in(page, "rosa@example.org")
    page.goto("/resources/")
    _accessible_at_both_widths(page, "the hub")
    page.get_by_role("link", name="Share a resource").click()
    page.get_by_role("link", name="File", exact=True).click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("A leaflet for new starters: pay, breaks, holidays.")
    page.get_by_label("For which group").select_option(label="Leeds Workers")
    page.get_by_label("The file").set_input_files(str(leaflet))
    _accessible_at_both_widths(page, "the form to share a file")
    page.get_by_role("button", name="Share it").click()
    page.get_by_text("your resource waits for a moderator").wait_for()
    _accessible_at_both_widths(page, "the waiting resource")
    resource = Resource.objects.get()
    assert (resource.state, resource.file_type) == ("pending", "application/pdf")

    # Amir cannot find it yet.
    page.context.clear_cookies()
    log_in(page, "amir@example.org")
    _search(page, "rights")
    page.get_by_text("No resource matches").wait_for()

    # Ola approves it from the moderation queue.
    page.context.clear_cookies()
    log_in_with_second_factor(page, "ola@example.org")
    page.goto("/resources/")
    page.get_by_role("link", name="Moderation queue").click()
    page.get_by_role("heading", name="Resources waiting for approval").wait_for()
    _accessible_at_both_widths(page, "the moderation queue")
    page.get_by_role("button", name=f"Approve “{TITLE}”").click()
    page.get_by_text(f"“{TITLE}” is approved").wait_for()
    assert page.get_by_text("Nothing is waiting for you.").is_visible()

    # Amir finds it by search and downloads it.
    page.context.clear_cookies()
    log_in(page, "amir@example.org")
    _search(page, "rights work")
    _accessible_at_both_widths(page, "the search results")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name=TITLE).wait_for()
    _accessible_at_both_widths(page, "the resource's page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download rights-leaflet.pdf").click()
    assert download.value.suggested_filename == "rights-leaflet.pdf"
    assert Path(download.value.path()).read_bytes() == pdf_bytes(TITLE)
    page.get_by_role("button", name="It helped me").click()
    page.get_by_text("1 member found it helpful.").wait_for()
