"""The `rankandfile` command: Django management plus the Django-free tools.

rankandfile manage ARGS...   Django's manage.py (migrate, createsuperuser, db_worker...)
rankandfile demo [--if-empty] load the demo network into an empty database
rankandfile run [ADDRESS]    serve ADDRESS (127.0.0.1:8000) with a task worker and the clock;
                             links in pages and emails use it unless SITE_ROOT is set
rankandfile count FILE ...   count ballots (STV, IRV, approval, yes/no); no Django needed
rankandfile recount BUNDLE.zip  check a ballot's verification bundle and recount it; no Django
rankandfile opinion-map DIR [--json] [--svg FILE]  the opinion map of a Polis export folder
                             (JSON, or drawn as an SVG scatter plot); no Django
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

USAGE = __doc__ or ""


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rankandfile.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rankandfile manage", *argv])
    return 0


DEFAULT_ADDRESS = "127.0.0.1:8000"
# runserver's "listen on every interface" addresses; a link needs one a browser can open.
_EVERY_INTERFACE = {"0.0.0.0": "127.0.0.1", "0": "127.0.0.1", "[::]": "[::1]"}


def site_root_for(address: str) -> str:
    """The SITE_ROOT of a development server on ``address`` (runserver's ``[HOST:]PORT``).

    >>> site_root_for("0.0.0.0:8400")
    'http://127.0.0.1:8400'
    """
    host, _, port = address.rpartition(":")
    if not host:  # a port alone
        host = "127.0.0.1"
    return f"http://{_EVERY_INTERFACE.get(host, host)}:{port}"


def _run(argv: list[str]) -> int:
    """The web server, a task worker and the clock side by side; Ctrl-C stops them all.

    Unless SITE_ROOT is set, it is the address served on, so that share links, the embed code
    and the links in emails (the worker renders them) open this server.
    """
    address = argv[0] if argv else DEFAULT_ADDRESS
    site_root = os.environ.setdefault("SITE_ROOT", site_root_for(address))
    # A server on another address (a phone on the same network) must also accept its name.
    host = site_root_for(address).removeprefix("http://").rpartition(":")[0]
    hosts = dict.fromkeys(["127.0.0.1", "localhost", host])  # in order, once each
    os.environ.setdefault("ALLOWED_HOSTS", ",".join(hosts))
    python = [sys.executable, "-m", "rankandfile", "manage"]
    worker = subprocess.Popen([*python, "db_worker"])
    clock = subprocess.Popen([*python, "clock"])
    server = subprocess.Popen([*python, "runserver", address])
    processes = (server, worker, clock)
    if site_root == site_root_for(address):
        print(f"Rank and File is running at {site_root}/ (Ctrl-C to stop)", flush=True)
    else:
        print(f"Rank and File is running on {address}, its links at {site_root}/", flush=True)
    try:
        while True:
            for process in processes:
                code = process.poll()
                if code is not None:
                    return code
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=1)
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE.strip())
        return 0
    command, rest = args[0], args[1:]
    if command == "manage":
        return _django(rest)
    if command == "demo":
        return _django(["demo", *rest])
    if command == "run":
        return _run(rest)
    if command == "count":
        from rankandfile.counting.cli import main as count_main

        return count_main(rest)
    if command == "recount":
        from rankandfile.counting.recount import main as recount_main

        return recount_main(rest)
    if command == "opinion-map":
        from rankandfile.opinions.polis_export import main as opinion_map_main

        return opinion_map_main(rest)
    print(f"rankandfile: unknown command {command!r}\n\n{USAGE.strip()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
