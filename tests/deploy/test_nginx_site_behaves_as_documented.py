"""The nginx site, run for real in front of a stand-in app server: only the embed pages may be
framed, the app gets nginx's request id, sign-up floods get 429, /metrics is refused, and a
request whose first app server refuses the connection is answered by the next one.

Skipped when nginx or openssl is not installed (apt-get install nginx-light).
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
]


class _App(BaseHTTPRequestHandler):
    """Answers every request with the headers it received, as the app would, with the app's
    own X-Frame-Options on every page (nginx must drop it on the embeds)."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Frame-Options", "SAMEORIGIN")
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
    ]:
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
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
    port: int, method: str, path: str
) -> tuple[int, dict[str, str], dict[str, str] | None]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.request(method, path, body=b"" if method == "POST" else None)
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
