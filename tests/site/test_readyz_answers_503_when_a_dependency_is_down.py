"""/healthz says the process is up without touching the database; /readyz says whether the
database and the cache answer: 200, or 503 naming the one that does not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

pytestmark = pytest.mark.django_db


class _DeadConnection:
    """A database connection (the driver's own object) whose server has gone away."""

    def __init__(self, error: type[Exception]) -> None:
        self.error = error

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error("server closed the connection unexpectedly")


@pytest.fixture
def database_down() -> Iterator[None]:
    """The driver's connection under Django's is replaced by a dead one, then put back."""
    connection.ensure_connection()
    alive = connection.connection
    connection.connection = _DeadConnection(connection.Database.OperationalError)
    try:
        yield
    finally:
        connection.connection = alive
        connection.errors_occurred = False


def _checks(client: Client) -> tuple[int, dict[str, str]]:
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)["checks"]


def test_healthz_answers_without_the_database(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_readyz_answers_200_when_the_database_and_cache_answer(client: Client) -> None:
    assert _checks(client) == (200, {"database:default": "ok", "cache": "ok"})


def test_readyz_answers_503_when_the_database_is_down(client: Client, database_down: None) -> None:
    assert _checks(client) == (503, {"database:default": "failed", "cache": "ok"})
    assert client.get("/healthz").status_code == 200


def test_readyz_answers_503_when_the_cache_is_down(client: Client, settings: Settings) -> None:
    # Redis on a port where nothing listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    assert _checks(client) == (503, {"database:default": "ok", "cache": "failed"})


def test_probes_answer_an_app_servers_own_address_over_plain_http(
    client: Client, settings: Settings
) -> None:
    settings.ALLOWED_HOSTS = ["rankandfile.example"]
    settings.SECURE_SSL_REDIRECT = True
    for probe in ("/healthz", "/readyz", "/metrics"):
        assert client.get(probe, HTTP_HOST="10.0.0.12:8000").status_code == 200, probe
    # Every page still needs the site's name, and HTTPS.
    assert client.get("/", HTTP_HOST="10.0.0.12:8000").status_code == 400
    assert client.get("/", HTTP_HOST="rankandfile.example").status_code == 301
