"""/styleguide/ shows every component and its markup while DEBUG is on, and is not there in
production."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from rankandfile.views import _SPECIMENS


@pytest.mark.django_db
def test_the_styleguide_is_not_found_when_debug_is_off() -> None:
    assert Client().get(reverse("styleguide")).status_code == 404


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_styleguide_shows_each_component_with_its_markup_in_debug() -> None:
    response = Client().get(reverse("styleguide"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Style guide</h1>" in html
    for slug, title, _note in _SPECIMENS:
        assert f'id="{slug}"' in html and f">{title}</h2>" in html
    # each component twice: rendered, and as markup to copy
    for component in ('class="table-reflow"', 'class="copy-box"', 'class="member-menu"'):
        assert component in html
        assert component.replace('"', "&quot;") in html
    assert 'class="error-summary"' in html  # the example form is shown with its errors
    assert 'class="field field-error' in html
