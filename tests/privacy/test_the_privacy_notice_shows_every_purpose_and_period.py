"""The privacy notice is public and generated from the consents, the retention settings and the
processors, so that the notice and the code cannot drift apart."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from rankandfile.accounts.consents import CONSENT_TEXTS


def _notice(client: Client) -> str:
    response = client.get(reverse("privacy:notice"))
    assert response.status_code == 200
    return response.content.decode()


def _retention_settings() -> list[str]:
    return [name for name in dir(settings) if name.startswith("RETENTION_")]


@pytest.mark.django_db
def test_the_notice_shows_every_consent_purpose_with_its_text_version_and_basis() -> None:
    page = _notice(Client())
    for consent in CONSENT_TEXTS.values():
        assert str(consent.purpose.label) in page
        assert f"Text version {consent.version}" in page
        assert consent.text in page.replace("&#x27;", "'")
    assert "Lawful basis: UK GDPR Article 6(1)(a)" in page


@pytest.mark.django_db
def test_the_notice_shows_every_retention_period_in_settings() -> None:
    names = _retention_settings()
    assert len(names) >= 9
    # Distinct periods, so that each one is seen to come from its own setting.
    periods = {name: 100 + n for n, name in enumerate(names)}
    with override_settings(**periods):
        page = _notice(Client())
    for name, days in periods.items():
        row = re.search(rf'<tr id="retention-[a-z_]+" data-setting="{name}">(.*?)</tr>', page, re.S)
        assert row, f"{name} is not on the privacy notice"
        assert f"{days} days" in row.group(1)


@pytest.mark.django_db
@override_settings(PRIVACY_PROCESSORS=["Hostco Ltd: runs the servers", "Mailco: delivers email"])
def test_the_notice_lists_the_configured_processors_and_controller() -> None:
    page = _notice(Client())
    assert "Hostco Ltd: runs the servers" in page
    assert "Mailco: delivers email" in page
    assert settings.PRIVACY_CONTROLLER in page


def test_by_default_the_processors_say_they_need_configuring() -> None:
    assert any("configure" in processor for processor in settings.PRIVACY_PROCESSORS)


@pytest.mark.django_db
def test_the_footer_and_the_sign_up_page_link_to_the_notice() -> None:
    link = f'href="{reverse("privacy:notice")}"'
    assert link in Client().get(reverse("home")).content.decode()
    assert link in Client().get(reverse("account_signup")).content.decode()


def test_the_record_of_processing_names_every_purpose_and_retention_setting() -> None:
    record = (settings.BASE_DIR / "docs" / "record-of-processing.md").read_text()
    for consent in CONSENT_TEXTS.values():
        assert str(consent.purpose.label) in record
    for name in _retention_settings():
        default = getattr(settings, name)
        assert f"`{name}` ({default} days" in record, name
