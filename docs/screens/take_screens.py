"""Full-page screenshots of the main pages of a running Rank and File, at phone and desktop width.

    python docs/screens/take_screens.py --base-url http://127.0.0.1:8123 --prefix before

The site must serve a database loaded with `rankandfile demo` and then
`docs/screens/prepare_demo.py` (see docs/screens/README.md). The script logs in as the demo
member and the demo organiser (password, then a TOTP code) and writes
docs/screens/<prefix>-<page>-<phone|desktop>.png. It finds its way by links and page names, not
by database ids, so it works on any version of the pages.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import sync_playwright
from prepare_demo import CLOSED_BALLOT_TITLE, DEMO_GROUP_SLUG

# The demo logins, as the README documents them (rankandfile/demo/services.py).
DEMO_MEMBER_EMAIL = "member@demo.rankandfile.invalid"
DEMO_ORGANISER_EMAIL = "organiser@demo.rankandfile.invalid"
DEMO_PASSWORD = "rank-and-file-demo"
DEMO_ORGANISER_TOTP_SECRET = "RANKANDFILEDEMOORGANISERTOTP2345"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [  # as tests/browser/conftest.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
MAX_HEIGHT = 4000  # px: longer pages are cut, to keep the files small


def _left_the_login_pages(url: str) -> bool:
    return "/accounts/login" not in url and "/accounts/2fa/authenticate" not in url


def _totp_code_with_time_to_spare() -> str:
    """As tests/browser/steps.py: a code about to expire is refused, so wait for the next."""
    totp = pyotp.TOTP(DEMO_ORGANISER_TOTP_SECRET)
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left)
    return totp.now()


def log_in(page: Any, email: str, *, second_factor: bool = False) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    if second_factor:
        for attempt in range(2):
            if attempt:  # refused: used by a run less than one period ago; wait for the next
                totp = pyotp.TOTP(DEMO_ORGANISER_TOTP_SECRET)
                time.sleep(totp.interval - time.time() % totp.interval + 1)
            page.locator("input[name=code]").fill(_totp_code_with_time_to_spare())
            with page.expect_navigation():
                page.locator("input[name=code]").press("Enter")
            if _left_the_login_pages(page.url):
                break
    page.wait_for_url(_left_the_login_pages)


# The top and bottom (page coordinates) of the error summary, if any, and of the section that
# holds the pledge form: on a phone the form is further down than MAX_HEIGHT.
_PLEDGE_REGION = """() => {
  const box = (element) => {
    const rect = element.getBoundingClientRect();
    return [rect.top + window.scrollY, rect.bottom + window.scrollY];
  };
  const form = document.querySelector("form[action$='/pledge/']");
  const section = form.closest("section") || form;
  const summary = document.querySelector("[data-error-summary], .error-summary");
  return {form: box(section), summary: summary ? box(summary) : null};
}"""


_WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"


def shoot(page: Any, path: Path, *, top: int = 0) -> None:
    """The whole page from ``top`` down, cut at MAX_HEIGHT; a warning if the page scrolls
    sideways (the shot is cut at the screen's width, so it would not show)."""
    width = page.viewport_size["width"]
    overflow = page.evaluate(_WIDER_THAN_SCREEN)
    if overflow > 0:
        print(f"warning: {page.url} scrolls sideways by {overflow} px at {width} px wide")
    height = min(page.evaluate("document.documentElement.scrollHeight") - top, MAX_HEIGHT)
    page.screenshot(
        path=str(path), full_page=True, clip={"x": 0, "y": top, "width": width, "height": height}
    )
    print(f"wrote {path}")


def pledge_region_top(page: Any) -> int:
    """Where the pledge-error shot starts: at the top of the page if the error summary (or, with
    none, the form's section) is in the first screenful, as the member sees it; otherwise at the
    error summary if the form's section is within MAX_HEIGHT of it, or just above the section."""
    region = page.evaluate(_PLEDGE_REGION)
    form_top, form_bottom = region["form"]
    first_seen = region["summary"][0] if region["summary"] else form_top
    if first_seen < page.viewport_size["height"] - 100:
        return 0
    top = form_top
    if region["summary"] and form_bottom - region["summary"][0] <= MAX_HEIGHT:
        top = min(top, region["summary"][0])
    return max(0, int(top) - 16)


def href_of(page: Any, selector: str) -> str:
    """The address of the first link matching ``selector`` on the current page."""
    link = page.locator(selector).first
    link.wait_for()
    href = link.get_attribute("href")
    if not href:
        raise SystemExit(f"No link {selector!r} on {page.url}")
    return str(href)


def campaign_page(page: Any) -> None:
    """The first campaign the home page links to (not the list of all campaigns)."""
    page.goto("/")
    page.goto(href_of(page, "main a[href^='/campaigns/']:not([href='/campaigns/'])"))


# The pledge form of the campaign page, as it was (a plain form) and as it is now (one that
# comes back in place with an error summary, its amount field shown only when its option is ticked).
_PLEDGE_FORM = "form[action$='/pledge/']"


def pledge_error(page: Any) -> None:
    """The campaign's pledge form sent with a mistake in it: the option that asks for an amount
    ticked and the amount left empty, or, if no option asks for one, nothing ticked."""
    campaign_page(page)
    form = page.locator(_PLEDGE_FORM).first
    asks_amount = form.locator("li:has(.conditional) input[type=checkbox]")
    if asks_amount.count() and asks_amount.first.is_visible():
        asks_amount.first.check()
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    page.wait_for_load_state("load")
    # site.js puts focus on the error summary when the page loads: shoot once it has it.
    page.wait_for_function(
        "() => !document.querySelector('[data-error-summary]')"
        " || document.activeElement.matches('[data-error-summary]')"
    )


def ballot_results(page: Any) -> None:
    page.goto("/ballots/")
    page.goto(href_of(page, f"main a:text-is({CLOSED_BALLOT_TITLE!r})"))
    page.goto(href_of(page, "main a[href$='/results/']"))


def group_manage(page: Any) -> None:
    page.goto(f"/groups/{DEMO_GROUP_SLUG}/manage/")


SCREENS: dict[str, list[tuple[str, Callable[[Any], None]]]] = {
    "member": [
        ("home", lambda page: page.goto("/")),
        ("campaign", campaign_page),
        ("pledge-error", pledge_error),
        ("ballot-results", ballot_results),
    ],
    "organiser": [("group-manage", group_manage)],
}


@contextmanager
def logged_in(browser: Any, base_url: str, role: str) -> Iterator[Any]:
    """One browser session per role: the organiser's TOTP code is typed only once."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    if role == "member":
        log_in(page, DEMO_MEMBER_EMAIL)
    else:
        log_in(page, DEMO_ORGANISER_EMAIL, second_factor=True)
    try:
        yield page
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-url", default="http://127.0.0.1:8123")
    parser.add_argument("--prefix", required=True, help='"before" or "after"')
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
        try:
            for role, screens in SCREENS.items():
                with logged_in(browser, args.base_url.rstrip("/"), role) as page:
                    for name, go in screens:
                        for size, (width, height) in WIDTHS.items():
                            page.set_viewport_size({"width": width, "height": height})
                            go(page)
                            top = pledge_region_top(page) if name == "pledge-error" else 0
                            shoot(page, args.out / f"{args.prefix}-{name}-{size}.png", top=top)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
