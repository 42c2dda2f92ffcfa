from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

PAGES = ["home", "groups:list", "account_login", "account_signup", "account_reset_password"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_every_page_sends_the_security_headers(client: Client, page: str) -> None:
    response = client.get(reverse(page))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def _inline_scripts(html: str) -> list[str]:
    """Script elements that would execute inline code (JSON data blocks do not execute)."""
    found = []
    for attrs, body in _SCRIPT.findall(html):
        if "src=" in attrs or "application/json" in attrs:
            continue
        if body.strip():
            found.append(body.strip()[:80])
    return found


def test_no_project_template_has_inline_script_or_event_handlers() -> None:
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "rankandfile"]
    for root in roots:
        for template in root.rglob("*.html"):
            if "email" in template.parts:
                continue  # email bodies are not served as pages; mail clients need inline style
            text = template.read_text()
            assert not _inline_scripts(text), template
            assert not re.search(r"\son[a-z]+=", text), template
            assert "style=" not in text, template


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_rendered_pages_have_no_inline_script(client: Client, page: str) -> None:
    assert not _inline_scripts(client.get(reverse(page)).content.decode())


@pytest.mark.django_db
def test_the_api_is_closed_to_anonymous_visitors_but_the_directory_and_described(
    client: Client,
) -> None:
    assert client.get("/api/v1/ballots/").status_code == 401
    assert client.get("/api/v1/groups").status_code == 200  # the public directory
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/groups" in schema["paths"]
