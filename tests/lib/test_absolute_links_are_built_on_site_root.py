"""lib.urls.absolute_url: a path under SITE_ROOT, whatever the request's host."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from rankandfile.lib.urls import absolute_url


def test_a_path_is_put_under_site_root_with_one_slash(settings: Settings) -> None:
    settings.SITE_ROOT = "https://organise.example.org"
    assert absolute_url("/campaigns/rent/") == "https://organise.example.org/campaigns/rent/"
    settings.SITE_ROOT = "https://organise.example.org/"
    assert absolute_url("/") == "https://organise.example.org/"


def test_only_a_path_is_accepted(settings: Settings) -> None:
    settings.SITE_ROOT = "https://organise.example.org"
    for not_a_path in ("campaigns/rent/", "http://127.0.0.1:8000/x/", ""):
        with pytest.raises(ValueError):
            absolute_url(not_a_path)
