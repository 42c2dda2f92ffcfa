from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from tests.personas import MakeMember, signup_form


@pytest.mark.django_db
@pytest.mark.parametrize("full_postcode", ["LS6 1AA", "ls61aa", "EC1A 1BB", "M14 5RX"])
def test_a_full_postcode_is_refused_at_sign_up(client: Client, full_postcode: str) -> None:
    response = client.post(
        reverse("account_signup"),
        signup_form("a@example.org", display_name="A", postcode_district=full_postcode),
    )
    assert response.status_code == 200
    assert "That is a full postcode" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_profile_refuses_a_full_postcode_and_stores_only_the_district(
    client: Client, make_member: MakeMember
) -> None:
    member = make_member(district="")
    client.force_login(member)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "X", "postcode_district": "LS6 1AA"}
    )
    assert response.status_code == 200
    assert "That is a full postcode" in response.content.decode()
    member.refresh_from_db()
    assert member.postcode_district == ""

    client.post(reverse("accounts:profile"), {"display_name": "X", "postcode_district": " m14 "})
    member.refresh_from_db()
    assert member.postcode_district == "M14"


@pytest.mark.django_db
def test_the_model_itself_refuses_a_full_postcode(make_member: MakeMember) -> None:
    member = make_member()
    member.postcode_district = "LS61AA"
    with pytest.raises(ValidationError):
        member.full_clean(exclude=["password"])
    field = User._meta.get_field("postcode_district")
    assert field.max_length == 4  # no room for a full postcode in the column
