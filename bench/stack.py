"""The production stack of compose.yaml on this one machine, without Docker.

    .venv/bin/python bench/stack.py [--server gunicorn|granian]

starts, each on its own free local port and in one temporary directory (removed at the end):

* a PostgreSQL primary made with ``initdb`` and a streaming replica made from it with
  ``pg_basebackup -R`` (the binaries of /usr/lib/postgresql/<newest>/bin, or PG_BIN); the
  machine's own PostgreSQL is not touched;
* Redis (``redis-server`` with its own port, nothing saved to disk, as in compose.yaml);
* migrations and ``collectstatic`` once, then two app servers (gunicorn with
  deploy/gunicorn.conf.py, or granian), two job workers (``manage db_worker``) and the clock;
* nginx (``/usr/sbin/nginx``) with deploy/nginx/rankandfile.conf, adapted into a generated
  config: plain HTTP on its own port (no TLS), the two app servers as the upstream, the temp
  dir for its pid, logs and buffers. The rate limits stay in place unless ``nginx_limits`` is
  False (a load test sends everything from one address, which the limits would turn away).

It checks /readyz on each app server and the front page through nginx, and that the replica
replays the primary's writes, prints the addresses and waits for Ctrl-C. Everything is stopped
(SIGTERM to each process group, SIGKILL after a grace period) when the ``with`` block ends, on
an exception, on SIGTERM/SIGINT and at interpreter exit.

Run as root (as in this machine's sandbox): ``initdb`` and ``postgres`` refuse to run as root,
so they are run as the ``postgres`` user through ``runuser -u postgres --`` (or
``STACK_PG_USER``), and the temporary directory is made readable by that user.

From another script::

    from stack import Stack
    with Stack(server="granian", nginx_limits=False) as stack:
        stack.url            # http://127.0.0.1:<nginx port>
        stack.database_url   # the primary, for preparing data in this process
        stack.kill_app(0); stack.restart_app(0)
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import glob
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
SERVERS = ("gunicorn", "granian")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin() -> Path:
    configured = os.environ.get("PG_BIN")
    if configured:
        return Path(configured)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("no initdb: set PG_BIN to PostgreSQL's bin directory")
    return Path(os.path.realpath(initdb)).parent


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")


def http_status(url: str, timeout: float = 60) -> int:
    """The status `url` answers; connection errors are retried until `timeout` (a server
    that has just started may reset the first connections while its workers boot)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: int = field(default=0)


def nginx_site(
    template: str,
    *,
    port: int,
    upstream: str | Path,
    static_root: Path,
    log: Path,
    limits: bool,
    cache: Path,
) -> str:
    """deploy/nginx/rankandfile.conf as a plain-HTTP site on `port`: the redirecting port-80
    server is dropped, TLS lines removed, paths (the microcache's too) pointed into the temp
    dir."""
    # Drop the first server block (port 80, ACME and the redirect to HTTPS).
    first = template.index("server {")
    end = template.index("\n}\n", first) + 3
    site = template[:first] + template[end:]
    site = site.replace(
        "proxy_cache_path /var/cache/nginx/rankandfile ", f"proxy_cache_path {cache} "
    )
    lines = []
    for line in site.splitlines():
        stripped = line.strip()
        if stripped.startswith(("ssl_", "listen [::]")):
            continue
        if stripped.startswith("listen 443"):
            line = f"    listen 127.0.0.1:{port};"
        elif stripped.startswith("include /etc/nginx/rankandfile-app-servers.conf"):
            line = f"    include {upstream};"
        elif stripped.startswith("access_log "):
            line = f"    access_log {log} rankandfile buffer=64k flush=1s;"
        elif stripped.startswith("alias /srv/rankandfile/staticfiles/"):
            line = f"        alias {static_root}/;"
        elif not limits and stripped.startswith("limit_req_zone"):
            line = re.sub(r"rate=\d+r/m", "rate=100000r/s", line)
        lines.append(line)
    site = "\n".join(lines) + "\n"
    return site.replace("server_name rankandfile.example;", "server_name 127.0.0.1 localhost;")


class Stack:
    def __init__(
        self,
        *,
        server: str = "gunicorn",
        app_servers: int = 2,
        workers: int = 2,
        web_workers: int = int(os.environ.get("STACK_WEB_WORKERS", "2")),
        web_threads: int = int(os.environ.get("STACK_WEB_THREADS", "2")),
        nginx_limits: bool = True,
        smtp_port: int | None = None,
        extra_env: dict[str, str] | None = None,
        quiet: bool = True,
    ) -> None:
        if server not in SERVERS:
            raise ValueError(f"server must be one of {SERVERS}")
        self.server = server
        self.app_count = app_servers
        self.worker_count = workers
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.nginx_limits = nginx_limits
        self.smtp_port = smtp_port
        self.extra_env = extra_env or {}
        self.quiet = quiet
        self.services: list[Service] = []
        self.apps: list[Service] = []
        self.workers: list[Service] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="rf-stack-"))
        self.pg_bin = postgres_bin()
        self.as_root = os.geteuid() == 0
        self.pg_user = os.environ.get("STACK_PG_USER", "postgres")
        self.primary_port = free_port()
        self.replica_port = free_port()
        self.redis_port = free_port()
        self.nginx_port = free_port()
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.database_url = f"postgres://postgres@127.0.0.1:{self.primary_port}/rankandfile"
        self.replica_url = f"postgres://postgres@127.0.0.1:{self.replica_port}/rankandfile"
        self._stopped = False

    # -- processes ---------------------------------------------------------------------------

    def _pg(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", self.pg_user, "--", *argv] if self.as_root else argv

    def _log(self, name: str) -> int:
        return os.open(self.tmp / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def _spawn(self, service: Service) -> Service:
        log = self._log(service.name)
        try:
            service.process = subprocess.Popen(
                service.argv,
                env=service.env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        finally:
            os.close(log)
        return service

    def _start(self, service: Service) -> Service:
        self.services.append(self._spawn(service))
        return service

    @staticmethod
    def _signal(service: Service, sig: int) -> None:
        if service.process is not None and service.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.process.pid, sig)

    def _stop_service(self, service: Service, grace: float = 15) -> None:
        self._signal(service, signal.SIGTERM)
        if service.process is None:
            return
        try:
            service.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal(service, signal.SIGKILL)
            service.process.wait(timeout=10)
        # Children left in the group (a gunicorn worker whose master was killed, ...).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(service.process.pid, signal.SIGKILL)

    def app_env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rankandfile.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
            "SECRET_KEY": self._secret,
            "FIELD_ENCRYPTION_KEYS": self._field_key,
            "LOOKUP_HASH_KEY": self._lookup_key,
            "SITE_ROOT": self.url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BEHIND_PROXY": "1",
            "DATABASE_URL": self.database_url,
            "DATABASE_REPLICA_URL": self.replica_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "STATIC_ROOT": str(self.tmp / "staticfiles"),
            "MEDIA_ROOT": str(self.tmp / "media"),
            "LOG_LEVEL": "WARNING",
            "DEFAULT_FROM_EMAIL": "Rank and File <noreply@stack.invalid>",
            "DATABASE_POOL_MAX_SIZE": str(max(self.web_threads, 4)),
        }
        if self.smtp_port is not None:
            env.update(
                {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp_port), "SMTP_USE_TLS": "0"}
            )
        env.update(self.extra_env)
        return env

    def _app_argv(self, port: int) -> list[str]:
        if self.server == "gunicorn":
            return [
                str(VENV_BIN / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "--log-level",
                "warning",
                "--access-logfile",
                "/dev/null",
            ]
        return [
            str(VENV_BIN / "granian"),
            "--interface",
            "wsgi",
            "--http",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(self.web_workers),
            "--blocking-threads",
            str(self.web_threads),
            "--no-ws",
            "--log-level",
            "warning",
            "rankandfile.wsgi:application",
        ]

    def _app(self, index: int) -> Service:
        port = free_port()
        env = {
            **self.app_env(),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(self.web_workers),
            "GUNICORN_THREADS": str(self.web_threads),
        }
        return Service(f"app{index}", self._app_argv(port), env, port)

    # -- start and stop ----------------------------------------------------------------------

    def start(self) -> Stack:
        self._secret = secrets.token_urlsafe(40)
        # Production refuses to start without its own keys for the encrypted personal fields.
        self._field_key = base64.b64encode(secrets.token_bytes(32)).decode()
        self._lookup_key = secrets.token_urlsafe(32)
        atexit.register(self.stop)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        try:
            self._start_databases()
            self._start_redis()
            self._prepare_app()
            for i in range(self.app_count):
                self.apps.append(self._start(self._app(i)))
            for app in self.apps:
                assert app.port is not None
                wait_for_port(app.port, 60, app.process)
            for i in range(self.worker_count):
                self.workers.append(self._start(self._worker(i)))
            self._start(
                Service("clock", [PYTHON, "-m", "rankandfile", "manage", "clock"], self.app_env())
            )
            self._start_nginx()
            self.check()
        except BaseException:
            self.stop()
            raise
        return self

    def _worker(self, index: int) -> Service:
        return Service(
            f"worker{index}", [PYTHON, "-m", "rankandfile", "manage", "db_worker"], self.app_env()
        )

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # A second Ctrl-C, or `timeout` (which signals the process and then its group), while
        # stopping must not cut the stopping short and leave PostgreSQL running.
        if self._stopped:
            return
        print("stopping", file=sys.stderr, flush=True)
        self.stop()
        raise SystemExit(128 + signum)

    def _start_databases(self) -> None:
        self.tmp.chmod(0o755)
        primary = self.tmp / "primary"
        replica = self.tmp / "replica"
        sockets = self.tmp / "sockets"
        for directory in (primary, replica, sockets):
            directory.mkdir(mode=0o700)
            if self.as_root:
                shutil.chown(directory, self.pg_user, self.pg_user)
        sockets.chmod(0o755)
        subprocess.run(
            self._pg([str(self.pg_bin / "initdb"), "-D", str(primary), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True, capture_output=True,
        )  # fmt: skip
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# bench/stack.py\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{sockets}'\n"
                "wal_level = replica\nmax_wal_senders = 10\nhot_standby = on\n"
                "max_connections = 300\nshared_buffers = 256MB\n"
            )
        # initdb's pg_hba.conf trusts local TCP connections, replication included.
        self.primary = self._start(Service(
            "postgres-primary",
            self._pg([str(self.pg_bin / "postgres"), "-D", str(primary),
                      "-p", str(self.primary_port)]),
            port=self.primary_port,
        ))  # fmt: skip
        self._wait_postgres(self.primary_port)
        self._psql(self.primary_port, "CREATE DATABASE rankandfile")
        subprocess.run(
            self._pg([str(self.pg_bin / "pg_basebackup"), "-h", "127.0.0.1", "-p",
                      str(self.primary_port), "-U", "postgres", "-D", str(replica), "-R",
                      "-X", "stream", "-c", "fast"]),
            check=True, capture_output=True,
        )  # fmt: skip
        self.replica = self._start(Service(
            "postgres-replica",
            self._pg([str(self.pg_bin / "postgres"), "-D", str(replica),
                      "-p", str(self.replica_port)]),
            port=self.replica_port,
        ))  # fmt: skip
        self._wait_postgres(self.replica_port)

    def _wait_postgres(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = subprocess.run(
                [str(self.pg_bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"],
                check=False,
            )
            if done.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL on port {port} did not start (see {self.tmp})")

    def _psql(self, port: int, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [str(self.pg_bin / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             "-d", database, "-XAtc", sql],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout.strip()

    def _start_redis(self) -> None:
        redis = shutil.which("redis-server")
        if redis is None:
            raise RuntimeError("redis-server is not installed")
        self._start(Service(
            "redis",
            [redis, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru",
             "--dir", str(self.tmp)],
            port=self.redis_port,
        ))  # fmt: skip
        wait_for_port(self.redis_port, 20, self.services[-1].process)

    def _prepare_app(self) -> None:
        for command in (["migrate"], ["collectstatic"]):
            subprocess.run(
                [PYTHON, "-m", "rankandfile", "manage", *command, "--noinput", "-v", "0"],
                env=self.app_env(), cwd=ROOT, check=True,
            )  # fmt: skip

    def _start_nginx(self) -> None:
        upstream = self.tmp / "app-servers.conf"
        upstream.write_text(
            "".join(f"server 127.0.0.1:{a.port} max_fails=3 fail_timeout=10s;\n" for a in self.apps)
        )
        site = nginx_site(
            (ROOT / "deploy" / "nginx" / "rankandfile.conf").read_text(),
            port=self.nginx_port,
            upstream=upstream,
            static_root=self.tmp / "staticfiles",
            log=self.tmp / "nginx-access.log",
            limits=self.nginx_limits,
            cache=self.tmp / "nginx-cache",
        )
        (self.tmp / "rankandfile.conf").write_text(site)
        temp = self.tmp / "nginx-temp"
        temp.mkdir()
        (self.tmp / "nginx.conf").write_text(
            "daemon off;\n"
            "worker_processes 1;\n"
            f"pid {self.tmp}/nginx.pid;\n"
            f"error_log {self.tmp}/nginx-error.log warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            f"    client_body_temp_path {temp}/body;\n"
            f"    proxy_temp_path {temp}/proxy;\n"
            f"    fastcgi_temp_path {temp}/fastcgi;\n"
            f"    uwsgi_temp_path {temp}/uwsgi;\n"
            f"    scgi_temp_path {temp}/scgi;\n"
            f"    include {self.tmp}/rankandfile.conf;\n"
            "}\n"
        )
        # As root nginx would switch its worker to "nobody"; "user root" keeps the temp dir usable.
        if self.as_root:
            conf = self.tmp / "nginx.conf"
            conf.write_text("user root;\n" + conf.read_text())
        self.nginx = self._start(Service(
            "nginx", [NGINX, "-c", str(self.tmp / "nginx.conf"), "-p", str(self.tmp)],
            port=self.nginx_port,
        ))  # fmt: skip
        wait_for_port(self.nginx_port, 20, self.nginx.process)

    def replica_lag_bytes(self) -> int:
        """Bytes of WAL the replica has yet to replay (0 when it has caught up)."""
        sent = self._psql(self.primary_port, "SELECT pg_current_wal_lsn()")
        return int(
            self._psql(
                self.replica_port, f"SELECT pg_wal_lsn_diff('{sent}', pg_last_wal_replay_lsn())"
            ).split(".")[0]
        )

    def check(self) -> None:
        """Each app server ready (database and cache), the site through nginx, the replica
        replaying: a row written on the primary is read back from the replica."""
        for app in self.apps:
            status = http_status(f"http://127.0.0.1:{app.port}/readyz")
            if status != 200:
                raise RuntimeError(f"{app.name} /readyz answered {status}")
        status = http_status(self.url + "/")
        if status != 200:
            raise RuntimeError(f"nginx / answered {status}")
        marker = secrets.token_hex(8)
        self._psql(self.primary_port,
                   "CREATE TABLE IF NOT EXISTS stack_check (v text); "
                   f"INSERT INTO stack_check VALUES ('{marker}')",
                   "rankandfile")  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                seen = self._psql(
                    self.replica_port, f"SELECT count(*) FROM stack_check WHERE v = '{marker}'",
                    "rankandfile",
                )  # fmt: skip
            except subprocess.CalledProcessError:
                seen = "0"
            if seen == "1":
                self._psql(self.primary_port, "DROP TABLE stack_check", "rankandfile")
                return
            time.sleep(0.1)
        raise RuntimeError("the replica did not replay the primary's write within 20 s")

    # -- faults ------------------------------------------------------------------------------

    def kill_app(self, index: int) -> None:
        """SIGKILL the app server's whole process group (its master and every worker)."""
        self._signal(self.apps[index], signal.SIGKILL)
        assert self.apps[index].process is not None
        self.apps[index].process.wait()

    def restart_app(self, index: int) -> None:
        """Start it again on the same port (nginx's upstream list is unchanged)."""
        old = self.apps[index]
        assert old.port is not None
        fresh = self._app(index)
        env = dict(fresh.env or {})
        env["GUNICORN_BIND"] = f"127.0.0.1:{old.port}"
        fresh = Service(
            old.name, self._app_argv(old.port), env, old.port, restarts=old.restarts + 1
        )
        self._spawn(fresh)
        self.services[self.services.index(old)] = fresh
        self.apps[index] = fresh
        wait_for_port(old.port, 60, fresh.process)

    def kill_worker(self, index: int) -> None:
        self._signal(self.workers[index], signal.SIGKILL)
        assert self.workers[index].process is not None
        self.workers[index].process.wait()

    def restart_worker(self, index: int) -> None:
        old = self.workers[index]
        fresh = self._worker(index)
        fresh.restarts = old.restarts + 1
        self._spawn(fresh)
        self.services[self.services.index(old)] = fresh
        self.workers[index] = fresh

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for service in reversed(self.services):
            self._stop_service(service)
        if os.environ.get("STACK_KEEP_TMP"):
            print(f"stack: kept {self.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def cpu_seconds(self) -> dict[tuple[str, int], float]:
        """CPU seconds (user + system) each live process of each service has used so far, by
        (service name without its number, pid): a service is the process the stack started
        and everything under it (PostgreSQL's postmaster makes a session of its own, so process
        groups alone would miss it). Two readings' difference is what each kind of process used
        in between (a process killed in between takes what it used with it)."""
        roots = {
            service.process.pid: re.sub(r"\d+$", "", service.name)
            for service in self.services
            if service.process is not None
        }
        tick = os.sysconf("SC_CLK_TCK")
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
            times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
        used: dict[tuple[str, int], float] = {}
        for pid, seconds in times.items():
            ancestor = pid
            while ancestor > 1 and ancestor not in roots:
                ancestor = parents.get(ancestor, 0)
            if ancestor in roots:
                used[(roots[ancestor], pid)] = seconds
        return used

    def describe(self) -> str:
        lines = [
            f"site (nginx)       {self.url}",
            *(f"app server {a.name[3:]}       http://127.0.0.1:{a.port} ({self.server})"
              for a in self.apps),
            f"PostgreSQL primary {self.database_url}",
            f"PostgreSQL replica {self.replica_url}",
            f"Redis              redis://127.0.0.1:{self.redis_port}/0",
            f"workers            {len(self.workers)} db_worker, 1 clock",
            f"logs               {self.tmp}/*.log",
        ]  # fmt: skip
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=SERVERS, default="gunicorn")
    parser.add_argument("--no-nginx-limits", action="store_true")
    args = parser.parse_args()
    with Stack(server=args.server, nginx_limits=not args.no_nginx_limits) as stack:
        print(stack.describe())
        print(f"replica replay lag: {stack.replica_lag_bytes()} bytes")
        print("Ctrl-C stops every process.", flush=True)
        while True:
            time.sleep(3600)  # until a signal stops the stack (Stack._on_signal)


if __name__ == "__main__":
    main()
