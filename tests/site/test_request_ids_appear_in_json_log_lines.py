"""Each request has an id (nginx's X-Request-ID, or a new one): it is on the response and in
every log line written while the request is served, one JSON object a line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import Client

# Two requests in a fresh process that logs in JSON: one with nginx's id, one without; each
# prints the id it was answered with. (DEBUG, so that pages need no `collectstatic`; JSON is
# the default without DEBUG: tests/site/test_new_production_settings_refuse_bad_values.py.)
REQUESTS = """
from django.test import Client
client = Client()
print(client.get("/no-such-page/", headers={"X-Request-ID": "nginx-5f2c9a"})["X-Request-ID"])
print(client.get("/no-such-page/")["X-Request-ID"])
"""


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_request_ids_appear_in_json_log_lines(tmp_path: Path) -> None:
    environ = os.environ | {
        "DEBUG": "1",
        "LOG_FORMAT": "json",
        "ALLOWED_HOSTS": "testserver",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", "shell", "--no-imports", "-c", REQUESTS],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    )
    given, made = result.stdout.split()
    assert given == "nginx-5f2c9a"
    assert len(made) == 32  # a new uuid4, in hex
    lines = _json_lines(result.stderr)
    assert [(line["level"], line["logger"], line["request_id"]) for line in lines] == [
        ("WARNING", "django.request", "nginx-5f2c9a"),
        ("WARNING", "django.request", made),
    ]
    assert lines[0]["message"] == "Not Found: /no-such-page/"
    assert {"time", "level", "logger", "message", "request_id"} <= lines[0].keys()


def test_an_id_that_could_garble_a_log_line_is_replaced(client: Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": 'x" injected="1'})
    assert response["X-Request-ID"] != 'x" injected="1'
    assert len(response["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "a" * 129})["X-Request-ID"] != "a" * 129
