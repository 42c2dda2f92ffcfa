from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from rankandfile.lib.env import env_bool, env_int, env_list, env_optional, env_rate, env_str


def test_values_are_read_and_defaults_used_when_absent() -> None:
    environ = {"A": "x", "FLAG": "yes", "N": "42", "L": "a, b,,c"}
    assert env_str("A", "d", environ=environ) == "x"
    assert env_str("MISSING", "d", environ=environ) == "d"
    assert env_optional("MISSING", environ=environ) is None
    assert env_bool("FLAG", False, environ=environ) is True
    assert env_int("N", 1, environ=environ) == 42
    assert env_list("L", [], environ=environ) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: env_bool("X", False, environ=e), "is not a boolean"),
        (lambda e: env_int("X", 1, environ=e), "is not an integer"),
    ],
)
def test_bad_values_fail_loudly(call: object, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        call({"X": "maybe"})  # type: ignore[operator]


def test_integers_below_the_minimum_fail() -> None:
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X", 5, minimum=1, environ={"X": "0"})


def test_secrets_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    assert env_str("SECRET_KEY", "", environ={"SECRET_KEY_FILE": str(secret)}) == "s3cret"
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        env_str("SECRET_KEY", "", environ={"SECRET_KEY_FILE": str(tmp_path / "missing")})
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_str("SECRET_KEY", "", environ={"SECRET_KEY": "a", "SECRET_KEY_FILE": str(secret)})


def test_rates_are_a_count_per_period_or_fail_loudly() -> None:
    assert env_rate("R", "10/10m", environ={}) == "10/10m"
    for good in ("5/s", "300/h", " 10/10m ", "1/2d"):
        assert env_rate("R", "1/m", environ={"R": good}) == good.strip()
    for bad in ("10", "0/m", "10/0m", "10/10", "ten/m", "10/m,5/h", "-1/m"):
        with pytest.raises(ImproperlyConfigured, match="is not a rate"):
            env_rate("R", "1/m", environ={"R": bad})
