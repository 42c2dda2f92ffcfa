"""Every irreversible action asks first on one page (templates/confirm.html): it says what will
happen and posts the same action back, with its hidden fields and ``confirmed=yes``."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpRequest
from django.test import RequestFactory

from rankandfile.lib.confirm import confirm_page, confirmed


def _request(data: dict[str, str]) -> HttpRequest:
    request = RequestFactory().post("/things/7/delete/", data)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_the_page_says_what_happens_and_posts_back_confirmed_with_its_fields() -> None:
    request = _request({})
    assert not confirmed(request)

    html = confirm_page(
        request,
        title="Delete the thing?",
        consequences=["The thing is deleted.", "This cannot be undone."],
        action_url="/things/7/delete/",
        confirm_label="Delete the thing",
        cancel_url="/things/7/",
        hidden={"thing": 7},
        danger=True,
    ).content.decode()

    assert "<h1>Delete the thing?</h1>" in html
    assert "<li>The thing is deleted.</li><li>This cannot be undone.</li>" in html
    form = re.search(r'<form method="post" action="/things/7/delete/".*?</form>', html, re.S)
    assert form is not None
    assert '<input type="hidden" name="confirmed" value="yes">' in form.group()
    assert '<input type="hidden" name="thing" value="7">' in form.group()
    assert 'class="button button-danger">Delete the thing</button>' in form.group()
    assert 'href="/things/7/">Cancel</a>' in form.group()
    assert confirmed(_request({"confirmed": "yes", "thing": "7"}))


def test_a_page_that_is_not_dangerous_has_a_plain_button_and_no_extra_fields() -> None:
    html = confirm_page(
        _request({}),
        title="Open it?",
        consequences=[],
        action_url="/things/7/open/",
        confirm_label="Open it",
        cancel_url="/things/7/",
    ).content.decode()

    form = re.search(r'<form method="post" action="/things/7/open/".*?</form>', html, re.S)
    assert form is not None
    assert '<button type="submit" class="button">Open it</button>' in form.group()
    assert 'class="consequences"' not in html
    assert re.findall(r'<input type="hidden" name="(\w+)"', form.group()) == [
        "csrfmiddlewaretoken",
        "confirmed",
    ]
