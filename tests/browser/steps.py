"""Steps shared by the browser tests. They press Enter rather than name a button, and wait for
the address to leave the log-in pages, so they keep working when the pages' words change."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp

from tests.personas import TEST_PASSWORD, TOTP_SECRET


def _left_the_login_pages(url: str) -> bool:
    return "/accounts/login" not in url and "/accounts/2fa/authenticate" not in url


def log_in(page: Any, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(_left_the_login_pages)


def totp_code_with_time_to_spare() -> str:
    """The current TOTP code, or the next one if the current has under 5 seconds to live: a
    code typed at the end of its 30-second step is checked in the next step, which refuses it
    (allauth allows no tolerance), and the test would fail one run in a few dozen."""
    totp = pyotp.TOTP(TOTP_SECRET)
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left)  # waiting for the wall clock's next step, not for another thread
    return totp.now()


def log_in_with_second_factor(page: Any, email: str) -> None:
    """Log in a member made with ``make_member(mfa=True)``: password, then the TOTP code."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.locator("input[name=code]").fill(totp_code_with_time_to_spare())
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(_left_the_login_pages)


RECEIPT_CODE = r"([0-9a-f]{4}-){7}[0-9a-f]{4}"


def receipt_code_shown(page: Any) -> str:
    """Wait until the vote page has made its receipt code (in the browser, after load) and
    return it; the code must have the receipt's shape: eight groups of four hex digits."""
    page.wait_for_function(
        "(pattern) => new RegExp(`^${pattern}$`).test("
        "document.getElementById('receipt-code').textContent)",
        arg=RECEIPT_CODE,
    )
    code = page.locator("#receipt-code").text_content()
    assert code is not None and re.fullmatch(RECEIPT_CODE, code), code
    return str(code)
