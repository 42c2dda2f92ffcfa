"""Production hashes passwords with Argon2id at no less than OWASP's minimum (19 MiB, 2 passes,
1 lane), and a password hashed with Django's heavier Argon2 parameters still logs in and is
re-hashed with these at that login. (Tests elsewhere hash with MD5: tests/conftest.py.)"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password
from django.test import Client, override_settings
from django.urls import reverse

from rankandfile.accounts.hashers import OwaspArgon2PasswordHasher
from tests.personas import TEST_PASSWORD, MakeMember

HASHER = "rankandfile.accounts.hashers.OwaspArgon2PasswordHasher"


def _parameters(encoded: str) -> tuple[str, int, int, int]:
    """(variant, memory KiB, passes, lanes) of a stored Argon2 hash."""
    match = re.fullmatch(r"argon2\$(argon2\w+)\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$\S+\$\S+", encoded)
    assert match, encoded
    variant, memory, passes, lanes = match.groups()
    return variant, int(memory), int(passes), int(lanes)


def test_production_hashes_with_argon2id_at_owasps_parameters_or_above() -> None:
    encoded = OwaspArgon2PasswordHasher().encode("a long enough passphrase", "somesaltvalue")
    variant, memory, passes, lanes = _parameters(encoded)
    assert variant == "argon2id"
    assert memory >= 19456 and passes >= 2 and lanes >= 1
    assert OwaspArgon2PasswordHasher().verify("a long enough passphrase", encoded)
    assert not OwaspArgon2PasswordHasher().verify("a wrong passphrase", encoded)


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=[HASHER])
def test_a_hash_made_with_djangos_parameters_logs_in_and_is_rehashed(
    make_member: MakeMember,
) -> None:
    member = make_member(email="old@example.org")
    member.password = Argon2PasswordHasher().encode(TEST_PASSWORD, "anoldsaltvalue")
    member.save(update_fields=["password"])
    assert _parameters(member.password)[1:] == (102400, 2, 8)  # Django's

    response = Client().post(
        reverse("account_login"), {"login": "old@example.org", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert _parameters(member.password) == ("argon2id", 19456, 2, 1)
    assert check_password(TEST_PASSWORD, member.password)
