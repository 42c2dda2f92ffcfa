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
    "ballot cast" page, and the roll and the box are checked afterwards. The ceiling, in the
    same run: the same sessions, cookies and CSRF tokens POST the same form to a
    login_required view that inserts one row and redirects (``/bench/ceiling-form/``,
    bench/ceiling_urls.py, through the same middleware), as many times as there are votes, in
    ``BENCH_ROUNDS`` rounds (default 4) that alternate with the votes' rounds;
(b) the time for ``ballot_close`` (close, count every question with the counting engine, write
    the results and build the verification bundle) on a ballot of 200,000 papers, bulk-inserted
    (the roll is 200,000 entries of erased members, which the count does not read), plus the
    time for ``rankandfile recount`` to check that bundle.

Goals: votes at least 0.6 of the same run's ceiling (issue 22: a rate alone moved with the
machine's other work; a vote does more than one insert (the roll, the paper, its receipt), but
should not cost more than that); 60 seconds to close, count and publish 200,000 ballots, so
that results of a network-wide ballot appear within a minute of the close.
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
GOAL_VOTE_FRACTION = 0.6
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
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


def _prepare_client(port: int, ballot_id: int, sessions: list[str], out: list[Any]) -> None:
    """Fetch the voting page once per session for its CSRF cookie and token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = f"/ballots/{ballot_id}/vote/"
    for session in sessions:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}"})
        response = connection.getresponse()
        body = response.read().decode()
        cookie = response.getheader("Set-Cookie") or ""
        csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if response.status != 200 or not csrf_cookie or not token:
            raise SystemExit(f"vote benchmark: GET {path} answered {response.status}")
        out.append((session, csrf_cookie.group(1), token.group(1)))
    connection.close()


def _post_client(
    port: int, ballot_id: int, kind: str, prepared: list[Any], errors: list[str]
) -> None:
    """POST once per prepared session over one keep-alive connection: a vote, or the ceiling
    (the same cookies and CSRF token, the same middleware, one row inserted)."""
    rng = random.Random()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    vote_path = f"/ballots/{ballot_id}/vote/"
    path = vote_path if kind == "vote" else "/bench/ceiling-form/"
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
                "Referer": f"http://127.0.0.1:{port}{vote_path}",
            },
        )
        response = connection.getresponse()
        response.read()
        location = response.getheader("Location") or ""
        expected = "/voted/" if kind == "vote" else "/done/"
        if response.status != 302 or not location.endswith(expected):
            errors.append(f"{kind} POST {response.status} {location}")
    connection.close()


def _phase(port: int, ballot_id: int, kind: str, prepared: list[Any], errors: list[str]) -> float:
    threads = [
        threading.Thread(
            target=_post_client, args=(port, ballot_id, kind, prepared[i::CLIENTS], errors)
        )
        for i in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def bench_votes_per_second() -> dict[str, Any]:
    """ROUNDS rounds, each: the ceiling as many times as there are votes in the round, then the
    round's votes (each voter once), so that the machine's drift falls on both sides."""
    from django.db import connection

    from bench.ceiling_urls import CeilingRow
    from rankandfile.ballots.models import BallotPaper, RollEntry

    with connection.schema_editor() as editor:
        editor.create_model(CeilingRow)
    ballot_id, sessions = _prepare_vote_ballot()
    walls: dict[str, float] = {"vote": 0.0, "ceiling": 0.0}
    errors: list[str] = []
    # Every vote comes from this one address: the per-address vote limit is lifted (real
    # voters come from many addresses); the per-member limit stays.
    with benchlib.gunicorn(
        DATABASE,
        DJANGO_SETTINGS_MODULE="bench.ceiling_settings",
        RATE_LIMIT_VOTE_IP="1000000000/s",
    ) as port:
        prepared: list[Any] = []
        shares = [sessions[i::CLIENTS] for i in range(CLIENTS)]
        getters = [
            threading.Thread(target=_prepare_client, args=(port, ballot_id, share, prepared))
            for share in shares
        ]
        for thread in getters:
            thread.start()
        for thread in getters:
            thread.join()
        # Warm-up: every worker thread's connection on the ceiling's path.
        _phase(port, ballot_id, "ceiling", prepared[: 4 * CLIENTS], errors)
        for r in range(ROUNDS):
            share = prepared[r::ROUNDS]
            walls["ceiling"] += _phase(port, ballot_id, "ceiling", share, errors)
            walls["vote"] += _phase(port, ballot_id, "vote", share, errors)
    papers = BallotPaper.objects.filter(ballot_id=ballot_id).count()
    voted = RollEntry.objects.filter(ballot_id=ballot_id, has_voted=True).count()
    if errors or papers != len(sessions) or voted != len(sessions):
        raise SystemExit(f"vote benchmark failed: {errors[:5]}, papers {papers}, voted {voted}")
    votes = round(len(sessions) / walls["vote"], 1)
    ceiling = round(len(sessions) / walls["ceiling"], 1)
    server = f"gunicorn rankandfile.wsgi, {benchlib.WORKERS} gthread workers x 4 threads"
    return {
        "votes_per_second": benchlib.figure(
            votes,
            "votes/s",
            None,
            baseline="ceiling_form_posts_per_second",
            votes=len(sessions),
            wall_seconds=round(walls["vote"], 3),
            clients=CLIENTS,
            server=server,
            notes="only the POSTs are timed; each answered 302 to the 'ballot cast' page; the "
            "roll and the box each hold exactly one entry per vote afterwards",
        ),
        "ceiling_form_posts_per_second": benchlib.figure(
            ceiling,
            "posts/s",
            None,
            notes="the same sessions, cookies and CSRF tokens POSTing a form of the same size to "
            "a login_required view that inserts one row and redirects (bench/ceiling_urls.py), "
            f"in {ROUNDS} rounds alternating with the votes' rounds",
        ),
        "vote_fraction_of_ceiling": benchlib.figure(
            round(votes / ceiling, 3),
            "ratio",
            f">= {GOAL_VOTE_FRACTION:g}",
            notes="votes_per_second / ceiling_form_posts_per_second, both measured in this run",
        ),
    }


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
        # Made as it would have been a week ago: a member may not make one in the past.
        now=now - timedelta(days=7),
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
        print(
            f"votes per second: {votes['votes_per_second']['value']}, ceiling "
            f"{votes['ceiling_form_posts_per_second']['value']}",
            flush=True,
        )
        close = bench_close_count_bundle()
        print(f"close, count and bundle {BIG} ballots: {close['value']} s", flush=True)
    out = benchlib.write_results(
        "ballots",
        {**votes, "close_count_bundle_200k_seconds": close},
    )
    print(f"wrote {out.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
