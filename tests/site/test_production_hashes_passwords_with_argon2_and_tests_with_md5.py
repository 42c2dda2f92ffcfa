"""Production hashes passwords with Argon2id (its parameters are checked in
tests/accounts/test_passwords_are_hashed_with_argon2id_at_owasp_parameters.py); the tests swap
in MD5 (tests/conftest.py), which is some thousand times faster, so that the personas'
passwords do not dominate the suite."""

from __future__ import annotations

from django.contrib.auth.hashers import get_hasher

from rankandfile import settings as production_settings


def test_production_settings_hash_passwords_with_argon2id() -> None:
    assert production_settings.PASSWORD_HASHERS == [
        "rankandfile.accounts.hashers.OwaspArgon2PasswordHasher"
    ]


def test_the_tests_hash_passwords_with_a_fast_hasher() -> None:
    assert get_hasher().algorithm == "md5"
