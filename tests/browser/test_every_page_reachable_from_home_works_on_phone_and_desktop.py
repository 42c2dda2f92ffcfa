"""Issue 16's crawl: every page reachable by links from the home page, as anonymous, a member and
an organiser, at phone and desktop width, answers 200, does not scroll sideways, has a heading
and a link home, logs no console error and has no serious or critical axe violation.

Pages are found breadth-first from "/" by their <a href> links. Addresses that differ only in
their ids are the same page: at most two are visited per URL name. Every problem is collected
and reported at the end, so one run lists them all.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as BrowserError

from rankandfile.ballots.services import ballot_cast, ballot_close, ballot_open
from rankandfile.groups.services import group_join
from rankandfile.opinions.services import conversation_create, statement_submit, vote_cast
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, log_in_with_second_factor
from tests.personas import MakeCampaign, MakeMember

WIDTHS = (390, 1280)
VISITS_PER_URL_NAME = 2
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/accounts/logout/")
DOWNLOAD_SUFFIXES = (".zip", ".json", ".csv", ".txt", ".pdf", ".blt")

# Each link as the crawler needs it: the address the browser resolved, and whether the page
# asks crawlers not to follow it or to download it.
# An SVG link's href is an animated string (the network map's areas): its base value is the text.
_LINKS = """() => [...document.querySelectorAll("a[href]")].map((a) => ({
  href: a instanceof SVGAElement ? new URL(a.href.baseVal, document.baseURI).href : a.href,
  nofollow: (a.getAttribute("rel") || "").split(/\\s+/).includes("nofollow"),
  download: a.hasAttribute("download"),
}))"""
_LINKS_HOME = """() => [...document.querySelectorAll("a[href]")].some(
  (a) => a.href === location.origin + "/"
)"""
_SIDEWAYS = "() => document.documentElement.scrollWidth"


@dataclass
class Crawl:
    """What one role's crawl has seen: pages visited and every problem found."""

    role: str
    origin: str
    visited: list[str] = field(default_factory=list)
    url_names: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, path: str, width: int | None, problem: str) -> None:
        at = f" at {width}px" if width else ""
        self.failures.append(f"{self.role}{at} {path}: {problem}")


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _followed(link: dict[str, Any], origin: str) -> str | None:
    """The link's path and query if the crawl follows it, else None."""
    if link["nofollow"] or link["download"]:
        return None
    parts = urlsplit(link["href"])
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(DOWNLOAD_SUFFIXES):
        return None
    if "download" in parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _check_at_width(page: Any, crawl: Crawl, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 800})
    scroll_width = page.evaluate(_SIDEWAYS)
    if scroll_width > width:
        crawl.fail(path, width, f"scrolls sideways ({scroll_width}px wide)")
    if not page.locator("h1").first.is_visible():
        crawl.fail(path, width, "no visible <h1>")
    for violation in serious_violations(page):
        crawl.fail(path, width, f"axe: {violation}")


def crawl_from_home(page: Any, role: str, origin: str) -> Crawl:
    """Visit every page reachable from "/" (at most two per URL name), checking each at both
    widths: loaded at phone width, then widened to desktop width."""
    crawl = Crawl(role=role, origin=origin)
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    queue: deque[str] = deque(["/"])
    seen = {"/"}
    while queue:
        path = queue.popleft()
        name = _url_name(urlsplit(path).path)
        if name is None:
            crawl.fail(path, None, "linked, but no page has this address")
            continue
        if crawl.url_names[name] >= VISITS_PER_URL_NAME:
            continue
        crawl.url_names[name] += 1
        crawl.visited.append(path)
        console_errors.clear()
        page.set_viewport_size({"width": WIDTHS[0], "height": 844})
        try:
            response = page.goto(path)
        except BrowserError as error:  # an error status with an empty body, for one
            crawl.fail(path, None, f"did not load: {error.message.splitlines()[0]}")
            continue
        if response is None or response.status != 200:
            status = response.status if response else "no response"
            crawl.fail(path, None, f"answered {status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue  # a download reached through a redirect
        landed = urlsplit(page.url)
        landed_path = landed.path + (f"?{landed.query}" if landed.query else "")
        where = path if landed_path == path else f"{path} (redirected to {landed_path})"
        if not page.evaluate(_LINKS_HOME):
            crawl.fail(where, None, 'no link to the home page ("/")')
        for width in WIDTHS:
            _check_at_width(page, crawl, where, width)
        for error in console_errors:
            crawl.fail(where, None, f"console error: {error}")
        for link in page.evaluate(_LINKS):
            target = _followed(link, origin)
            if target is not None and target not in seen:
                seen.add(target)
                queue.append(target)
    return crawl


@pytest.mark.django_db(transaction=True)
def test_every_page_reachable_from_home_works_on_phone_and_desktop(
    browser: Any, live_server: Any, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    organiser = make_member(email="organiser@example.org", display_name="Olu Organiser", mfa=True)
    campaign = make_campaign(organiser=organiser)
    group = campaign.group
    member = make_member(email="member@example.org", display_name="Mo Member")
    group_join(group=group, member=member)
    voters_make(group, 3)
    closed = ballot_open(ballot=ballot_make(organiser=organiser, group=group, title="Committee"))
    for voter in (organiser, member):
        ballot_cast(
            ballot=closed, member=voter, receipt_hash=receipt_hash(), answers={"1": "yes", "2": [1]}
        )
    ballot_close(ballot=closed, actor=organiser)
    ballot_open(ballot=ballot_make(organiser=organiser, group=group, title="Strike ballot"))
    conversation = conversation_create(
        organiser=organiser,
        group=group,
        question="Stay and fight, or leave and build?",
        seed_statements=["Stay and fight.", "Leave and build."],
    )
    statement = conversation.statements.get(number=0)
    vote_cast(conversation=conversation, statement=statement, member=member, value=1)
    statement_submit(conversation=conversation, member=member, text="Ballot every member.")

    crawls = []
    for role in ("anonymous", "member", "organiser"):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": WIDTHS[0], "height": 844}
        )
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            if role == "member":
                log_in(page, member.email)
            elif role == "organiser":
                log_in_with_second_factor(page, organiser.email)
            crawls.append(crawl_from_home(page, role, live_server.url))
        finally:
            context.close()

    # The crawl must have seen the pages the data was built for, or it proves nothing.
    expected = {
        "anonymous": {"home", "groups:list", "groups:detail", "campaigns:detail"},
        "member": {
            "campaigns:detail",
            "ballots:list",
            "ballots:detail",
            "ballots:results",
            "opinions:list",
            "opinions:detail",
        },
        "organiser": {"groups:manage", "ballots:list", "ballots:results", "opinions:moderate"},
    }
    failures = [f for crawl in crawls for f in crawl.failures]
    for crawl in crawls:
        for name in sorted(expected[crawl.role] - set(crawl.url_names)):
            failures.append(f"{crawl.role}: {name} is not reachable by links from the home page")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
