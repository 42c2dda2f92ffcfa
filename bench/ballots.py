"""Benchmark member ballots on PostgreSQL; writes bench/results/ballots.json.

Run from the repository root with a PostgreSQL server reachable (default
``postgres://postgres@127.0.0.1:5432``; set ``BENCH_POSTGRES`` to change it)::

    .venv/bin/python bench/ballots.py

It creates a fresh database (dropped at the end) and measures:

(a) votes cast per second through the real server: gunicorn (``rankandfile.wsgi``, gthread
    workers) on a free local port; ``BENCH_CLIENTS`` client threads (default 16), each with its
    own logged-in session (made directly in the session store, because logging in through the
    page is rate-limited per IP), fetch the voting page once for the CSRF token, then post
    ballots (an STV question ranking 3-6 of 8 candidates and a yes/no question) with random
    receipt hashes. Only the posts are timed; every post must answer with the redirect to the
    "ballot cast" page, and the roll and the box are checked afterwards;
(b) the time for ``ballot_close`` (close, count every question with the counting engine, write
    the results and build the verification bundle) on a ballot of 200,000 papers, bulk-inserted
    (the roll is 200,000 entries of erased members, which the count does not read), plus the
    time for ``rankandfile recount`` to check that bundle.

Goals (our choice, and why): 100 votes per second, so a 20,000-member ballot in which everyone
votes in the last ten minutes before the close is served by one small machine with headroom;
60 seconds to close, count and publish 200,000 ballots, so that results of a network-wide
ballot appear within a minute of the close.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import re
import secrets
import sys
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib

DATABASE = f"rankandfile_bench_ballots_{os.getpid()}"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
VOTERS = int(os.environ.get("BENCH_VOTERS", "2000"))
BIG = int(os.environ.get("BENCH_BIG_BALLOT", "200000"))
GOAL_VOTES_PER_SECOND = 100.0
GOAL_CLOSE_SECONDS = 60.0
CANDIDATES = [f"Candidate {c}" for c in "ABCDEFGH"]


def _random_ballot(rng: random.Random) -> dict[str, Any]:
    ranking = rng.sample(range(1, len(CANDIDATES) + 1), rng.randint(3, 6))
    return {"1": ranking, "2": rng.choice(["yes", "no", "abstain"])}


def _prepare_vote_ballot() -> tuple[int, list[str]]:
    """A group of VOTERS members, a ballot opened for them, and one session per voter."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from rankandfile.accounts.consents import ConsentPurpose
    from rankandfile.accounts.models import User
    from rankandfile.accounts.services import consents_give_in_bulk
    from rankandfile.ballots.services import QuestionInput, ballot_create, ballot_open
    from rankandfile.groups.models import Group, Membership, Role

    password = make_password(secrets.token_urlsafe(16))
    users = User.objects.bulk_create(
        User(email=f"voter{i}@bench.invalid", display_name=f"Voter {i}", password=password)
        for i in range(VOTERS)
    )
    now = timezone.now()
    consents_give_in_bulk(members=users, purpose=ConsentPurpose.MEMBERSHIP, now=now)
    group = Group.objects.create(name="Bench branch", slug="bench-branch", kind="local_branch")
    Membership.objects.bulk_create(
        Membership(group=group, member=u, role=Role.ORGANISER if i == 0 else Role.MEMBER)
        for i, u in enumerate(users)
    )
    ballot = ballot_create(
        creator=users[0],
        group=group,
        title="Bench ballot",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=2),
        questions=[
            QuestionInput(text="Committee", method="scottish-stv", choices=CANDIDATES, seats=3),
            QuestionInput(text="Strike?", method="yesno"),
        ],
    )
    ballot_open(ballot=ballot)
    sessions = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key or "")
    return ballot.pk, sessions


def _vote_form(rng: random.Random) -> dict[str, str]:
    ballot = _random_ballot(rng)
    form = {
        "q2": str(ballot["2"]),
        "receipt_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
    }
    for rank, candidate in enumerate(ballot["1"], 1):
        form[f"q1_c{candidate}"] = str(rank)
    return form


def _client(port: int, ballot_id: int, sessions: list[str], results: list[Any]) -> None:
    """Vote once per session, over one keep-alive connection; record timings and failures."""
    rng = random.Random()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = f"/ballots/{ballot_id}/vote/"
    prepared = []
    for session in sessions:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}"})
        response = connection.getresponse()
        body = response.read().decode()
        cookie = response.getheader("Set-Cookie") or ""
        csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if response.status != 200 or not csrf_cookie or not token:
            results.append(("error", f"GET {response.status}"))
            return
        prepared.append((session, csrf_cookie.group(1), token.group(1)))
    results.append(("ready", len(prepared)))
    _start.wait()
    started = time.perf_counter()
    for session, cookie, token in prepared:
        form = {**_vote_form(rng), "csrfmiddlewaretoken": token}
        connection.request(
            "POST",
            path,
            body=urllib.parse.urlencode(form),
            headers={
                "Cookie": f"sessionid={session}; csrftoken={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{port}",
                "Referer": f"http://127.0.0.1:{port}{path}",
            },
        )
        response = connection.getresponse()
        response.read()
        location = response.getheader("Location") or ""
        if response.status != 302 or not location.endswith("/voted/"):
            results.append(("error", f"POST {response.status} {location}"))
    results.append(("time", time.perf_counter() - started, started))


_start = threading.Event()


def bench_votes_per_second() -> dict[str, Any]:
    from rankandfile.ballots.models import BallotPaper, RollEntry

    ballot_id, sessions = _prepare_vote_ballot()
    with benchlib.gunicorn(DATABASE) as port:
        results: list[Any] = []
        shares = [sessions[i::CLIENTS] for i in range(CLIENTS)]
        threads = [
            threading.Thread(target=_client, args=(port, ballot_id, share, results))
            for share in shares
        ]
        for thread in threads:
            thread.start()
        while sum(1 for r in results if r[0] in ("ready", "error")) < CLIENTS:
            time.sleep(0.05)
        wall_start = time.perf_counter()
        _start.set()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall_start
    errors = [r[1] for r in results if r[0] == "error"]
    papers = BallotPaper.objects.filter(ballot_id=ballot_id).count()
    voted = RollEntry.objects.filter(ballot_id=ballot_id, has_voted=True).count()
    if errors or papers != len(sessions) or voted != len(sessions):
        raise SystemExit(f"vote benchmark failed: {errors[:5]}, papers {papers}, voted {voted}")
    return benchlib.figure(
        round(len(sessions) / wall, 1),
        "votes/s",
        f">= {GOAL_VOTES_PER_SECOND:g}",
        votes=len(sessions),
        wall_seconds=round(wall, 3),
        clients=CLIENTS,
        server=f"gunicorn rankandfile.wsgi, {benchlib.WORKERS} gthread workers x 4 threads",
        notes="only the POSTs are timed; each answered 302 to the 'ballot cast' page; the "
        "roll and the box each hold exactly one entry per vote afterwards",
    )


def bench_close_count_bundle() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from rankandfile.accounts.models import User
    from rankandfile.ballots.models import Ballot, BallotBundle, BallotPaper, RollEntry
    from rankandfile.ballots.services import QuestionInput, ballot_close, ballot_create
    from rankandfile.counting.recount import recount_bundle

    organiser = User.objects.get(email="voter0@bench.invalid")
    from rankandfile.groups.models import Group

    now = timezone.now()
    ballot = ballot_create(
        creator=organiser,
        group=Group.objects.get(slug="bench-branch"),
        title="Network-wide ballot",
        opens_at=now - timedelta(days=7),
        closes_at=now - timedelta(seconds=1),
        questions=[
            QuestionInput(text="Committee", method="scottish-stv", choices=CANDIDATES, seats=3),
            QuestionInput(text="Strike?", method="yesno"),
        ],
    )
    rng = random.Random(20261123)
    batch = 20000
    for start in range(0, BIG, batch):
        size = min(batch, BIG - start)
        RollEntry.objects.bulk_create(
            RollEntry(ballot=ballot, member=None, has_voted=True) for _ in range(size)
        )
        BallotPaper.objects.bulk_create(
            BallotPaper(
                receipt_hash=hashlib.sha256(rng.randbytes(16)).hexdigest(),
                ballot=ballot,
                contents=_random_ballot(rng),
            )
            for _ in range(size)
        )
    Ballot.objects.filter(pk=ballot.pk).update(state="open", roll_size=BIG)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ballot.refresh_from_db()
    started = time.perf_counter()
    ballot_close(ballot=ballot, actor=None)
    seconds = time.perf_counter() - started
    bundle = bytes(BallotBundle.objects.get(ballot=ballot).data)
    started = time.perf_counter()
    problems, _ = recount_bundle(bundle)
    recount_seconds = time.perf_counter() - started
    if problems:
        raise SystemExit(f"recount of the 200k bundle disagreed: {problems[:5]}")
    return benchlib.figure(
        round(seconds, 2),
        "s",
        f"<= {GOAL_CLOSE_SECONDS:g}",
        ballots=BIG,
        questions="Scottish STV, 8 candidates, 3 seats (rankings of 3-6); yes/no",
        bundle_bytes=len(bundle),
        recount_seconds=round(recount_seconds, 2),
        notes="papers bulk-inserted; timed: ballot_close = lock, close, read every paper, "
        "count both questions, write results and the zip bundle, publish",
    )


def main() -> int:
    with benchlib.fresh_database(DATABASE):
        votes = bench_votes_per_second()
        print(f"votes per second: {votes['value']} ({votes['votes']} votes)", flush=True)
        close = bench_close_count_bundle()
        print(f"close, count and bundle {BIG} ballots: {close['value']} s", flush=True)
    out = benchlib.write_results(
        "ballots",
        {"votes_per_second": votes, "close_count_bundle_200k_seconds": close},
    )
    print(f"wrote {out.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
