"""The deployment files in deploy/ and compose.yaml are valid: nginx accepts the site, compose
describes the whole stack, gunicorn accepts its settings, the systemd units start real
commands, and production serves static files under hashed, compressed names."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-test-key-that-is-long-enough-for-the-settings-check-0123456789",
    "ALLOWED_HOSTS": "testserver",
    "FIELD_ENCRYPTION_KEYS": "cmFua2FuZGZpbGUtdGVzdC1rZXktYi0tLS0tLS0tLS0=",
    "LOOKUP_HASH_KEY": "a-test-lookup-hash-key",
}


def _stub_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "fullchain.pem", directory / "privkey.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subject = ["-subj", "/CN=rankandfile.example", "-keyout", str(key), "-out", str(certificate)]
    subprocess.run(
        ["openssl", *request, *subject],
        check=True,
        capture_output=True,
    )
    return certificate, key


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed (apt-get install nginx-light)",
)
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    certificate, key = _stub_certificate(tmp_path)
    site = (DEPLOY / "nginx" / "rankandfile.conf").read_text()
    site = site.replace(
        "/etc/letsencrypt/live/rankandfile.example/fullchain.pem", str(certificate)
    ).replace("/etc/letsencrypt/live/rankandfile.example/privkey.pem", str(key))
    site = site.replace(
        "/etc/nginx/rankandfile-app-servers.conf", str(DEPLOY / "nginx" / "app-servers.conf")
    )
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    site = site.replace("/var/cache/nginx/rankandfile", f"{tmp_path}/cache")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_compose_describes_the_whole_stack() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "replica", "redis", "migrate", "web", "worker", "clock", "nginx"}
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["worker"]["deploy"]["replicas"] >= 2
    web = services["web"]["environment"]
    assert web["DATABASE_URL"].startswith("postgres://") and "@db:" in web["DATABASE_URL"]
    assert "@replica:" in web["DATABASE_REPLICA_URL"]
    assert web["REDIS_URL"] == "redis://redis:6379/0"
    assert services["worker"]["command"][-1] == "db_worker"
    assert services["clock"]["command"][-1] == "clock"
    for mounted in ("primary-init.sh", "replica-start.sh"):
        assert (DEPLOY / "postgres" / mounted).exists()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "AS app" in dockerfile and "AS nginx" in dockerfile


def test_gunicorn_accepts_its_settings() -> None:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = subprocess.run(
        [gunicorn, "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py")],
        capture_output=True,
        text=True,
        env=os.environ | PRODUCTION,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_systemd_units_start_the_projects_commands() -> None:
    commands = {}
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(unit.read_text())
        assert parser["Service"]["User"] == "rankandfile", unit.name
        assert parser["Service"]["EnvironmentFile"] == "/etc/rankandfile/env", unit.name
        commands[unit.name] = parser["Service"]["ExecStart"]
    assert commands["rankandfile-web.service"].endswith(
        "gunicorn -c /srv/rankandfile/deploy/gunicorn.conf.py"
    )
    assert " manage db_worker " in commands["rankandfile-worker@.service"]
    assert commands["rankandfile-clock.service"].endswith(" manage clock")
    assert " manage backup /var/backups/rankandfile/" in commands["rankandfile-backup.service"]
    assert (DEPLOY / "systemd" / "rankandfile-backup.timer").exists()


def test_production_serves_static_files_hashed_and_compressed(tmp_path: Path) -> None:
    environ = os.environ | PRODUCTION | {"STATIC_ROOT": str(tmp_path)}
    manage = [sys.executable, "-m", "rankandfile", "manage"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=environ, check=True)
    code = "from django.templatetags.static import static; print(static('css/site.css'))"
    printed = subprocess.run(
        [*manage, "shell", "--no-imports", "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed.startswith("/static/css/site.") and printed != "/static/css/site.css"
    hashed = tmp_path / printed.removeprefix("/static/")
    assert hashed.exists()
    assert hashed.with_name(hashed.name + ".gz").exists()
    assert (tmp_path / "staticfiles.json").exists()
