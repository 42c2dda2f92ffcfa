"""The `rankandfile` command: Django management plus the Django-free tools.

rankandfile manage ARGS...   Django's manage.py (migrate, createsuperuser, db_worker...)
rankandfile demo [--if-empty] load the demo network into an empty database
rankandfile run              serve http://127.0.0.1:8000 with a task worker and the clock
rankandfile count FILE ...   count ballots (STV, IRV, approval, yes/no); no Django needed
rankandfile recount BUNDLE.zip  check a ballot's verification bundle and recount it; no Django
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


def _run(argv: list[str]) -> int:
    """The web server, a task worker and the clock side by side; Ctrl-C stops them all."""
    address = argv[0] if argv else "127.0.0.1:8000"
    python = [sys.executable, "-m", "rankandfile", "manage"]
    worker = subprocess.Popen([*python, "db_worker"])
    clock = subprocess.Popen([*python, "clock"])
    server = subprocess.Popen([*python, "runserver", address])
    processes = (server, worker, clock)
    print(f"Rank and File is running at http://{address}/ (Ctrl-C to stop)", flush=True)
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
    print(f"rankandfile: unknown command {command!r}\n\n{USAGE.strip()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
