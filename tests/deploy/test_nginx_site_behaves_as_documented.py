"""The nginx site, run for real in front of a stand-in app server: only the embed pages may be
framed, the app gets nginx's request id, sign-up floods get 429, /metrics is refused, a
request whose first app server refuses the connection is answered by the next one, and the
microcache shares only what the app marks public, only among visitors.

Skipped when nginx or openssl is not installed (apt-get install nginx-light).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
]


_HITS: Counter[str] = Counter()  # requests the stand-in app answered, by path
_HITS_LOCK = threading.Lock()


class _App(BaseHTTPRequestHandler):
    """Answers every request with the headers it received and how many times it answered that
    path, as the app would, with the app's own X-Frame-Options on every page (nginx must drop
    it on the embeds). ``?max-age=N`` adds "Cache-Control: public, max-age=N", as the app says
    of a public page to a visitor; ``&cookie=1`` sets a cookie too."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with _HITS_LOCK:
            _HITS[self.path] += 1
            hits = _HITS[self.path]
        seen = {k.lower(): v for k, v in self.headers.items()} | {"x-hits": str(hits)}
        body = json.dumps(seen).encode()
        query = parse_qs(urlsplit(self.path).query)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        if "max-age" in query:
            self.send_header("Cache-Control", f"public, max-age={query['max-age'][0]}")
        if "cookie" in query:
            self.send_header("Set-Cookie", "csrftoken=abc; Path=/")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[int]:
    """nginx with the site on a free HTTPS port; the first app server refuses connections."""
    app = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subject = ["-subj", "/CN=rankandfile.example", "-keyout", str(key), "-out", str(certificate)]
    subprocess.run(
        ["openssl", *request, *subject],
        check=True,
        capture_output=True,
    )
    https, http_port = _free_port(), _free_port()
    (tmp_path / "app-servers.conf").write_text(
        f"server 127.0.0.1:{_free_port()} max_fails=3 fail_timeout=10s;\n"
        f"server 127.0.0.1:{app.server_address[1]} max_fails=3 fail_timeout=10s;\n"
    )
    site = (ROOT / "deploy" / "nginx" / "rankandfile.conf").read_text()
    for old, new in [
        ("listen [::]:80;\n", ""),
        ("listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("/etc/letsencrypt/live/rankandfile.example/fullchain.pem", str(certificate)),
        ("/etc/letsencrypt/live/rankandfile.example/privkey.pem", str(key)),
        ("/etc/nginx/rankandfile-app-servers.conf", str(tmp_path / "app-servers.conf")),
        ("/var/log/nginx/", f"{tmp_path}/"),
        ("/var/cache/nginx/rankandfile", f"{tmp_path}/cache"),
    ]:
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    # As root nginx's worker would run as "nobody", which cannot use the test's directory
    # (the microcache is there).
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
        f"events {{}}\nhttp {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = subprocess.Popen(
        [str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", https), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield https
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        app.shutdown()


def _request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], dict[str, str] | None]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.request(method, path, body=b"" if method == "POST" else None, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    headers = {k.lower(): v for k, v in response.getheaders()}
    seen = json.loads(body) if headers.get("content-type") == "application/json" else None
    return response.status, headers, seen


def test_only_the_embed_pages_may_be_framed(site: int) -> None:
    for path in ("/campaigns/publish/", "/campaigns/publish/totals/", "/accounts/login/"):
        assert _request(site, "GET", path)[1]["x-frame-options"] == "DENY", path
    for path in ("/campaigns/publish/embed", "/slates/7/embed"):
        assert "x-frame-options" not in _request(site, "GET", path)[1], path


def test_the_app_gets_nginxs_request_id_and_the_clients_scheme(site: int) -> None:
    first, second = _request(site, "GET", "/")[2], _request(site, "GET", "/")[2]
    assert first is not None and second is not None
    assert len(first["x-request-id"]) == 32 and first["x-request-id"] != second["x-request-id"]
    assert first["x-forwarded-proto"] == "https"


def test_every_request_is_answered_though_one_app_server_refuses_connections(site: int) -> None:
    # Round robin sends about half of these to the dead server first; nginx tries the next.
    assert [_request(site, "GET", "/campaigns/")[0] for _ in range(6)] == [200] * 6


def test_a_flood_of_sign_ups_from_one_address_is_refused(site: int) -> None:
    statuses = [_request(site, "POST", "/accounts/signup/")[0] for _ in range(40)]
    assert statuses[:20] == [200] * 20  # the burst
    assert 429 in statuses[20:]
    # Reading the page is not limited.
    assert _request(site, "GET", "/accounts/signup/")[0] == 200


def test_metrics_and_readiness_are_not_served_through_nginx(site: int) -> None:
    assert _request(site, "GET", "/metrics")[0] == 404
    assert _request(site, "GET", "/readyz")[0] == 404
    assert _request(site, "GET", "/healthz")[0] == 200


def _hits(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """How many times the app had answered `path` when this answer was made, and nginx's cache
    status for it (HIT: from nginx's copy; MISS, BYPASS, EXPIRED...: from the app)."""
    status, headers_out, seen = _request(port, "GET", path, headers)
    assert status == 200 and seen is not None
    return int(seen["x-hits"]), headers_out["x-cache"]


def test_visitors_share_a_page_the_app_marks_public_until_its_max_age_runs_out(site: int) -> None:
    path = "/campaigns/microcache/?max-age=1"
    assert _hits(site, path) == (1, "MISS")
    assert [_hits(site, path) for _ in range(5)] == [(1, "HIT")] * 5  # the app saw one
    # Run out (nginx counts whole seconds): visitors get the old copy while one request asks
    # the app again in the background, then the new one.
    deadline = time.monotonic() + 10
    while (hits := _hits(site, path)[0]) == 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hits == 2


def test_members_and_api_callers_always_reach_the_app_and_are_never_kept(site: int) -> None:
    path = "/campaigns/members/?max-age=60"
    member = {"Cookie": "sessionid=a-members-session"}
    api = {"Authorization": "Bearer a-token"}
    assert _hits(site, path, member) == (1, "BYPASS")
    assert _hits(site, path, member) == (2, "BYPASS")
    assert _hits(site, path, api) == (3, "BYPASS")
    # Nothing a member got was kept for visitors: the first visitor reaches the app.
    assert _hits(site, path) == (4, "MISS")
    assert _hits(site, path) == (4, "HIT")
    # And a member is not served the visitors' copy.
    assert _hits(site, path, member) == (5, "BYPASS")


def test_an_answer_without_max_age_or_that_sets_a_cookie_is_never_kept(site: int) -> None:
    for path in ("/campaigns/plain/", "/accounts/signup/?max-age=60&cookie=1"):
        assert [_hits(site, path)[0] for _ in range(3)] == [1, 2, 3], path
