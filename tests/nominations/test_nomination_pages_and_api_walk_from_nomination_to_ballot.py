"""The nominations pages and API, as members use them: an organiser opens nominations, a
member nominates another, a third seconds, the nominee accepts with a Markdown statement (shown
safe) and the organiser closes early; the ballot page shows each candidate's statement.
Outsiders get a 404; the nominations page reads in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.ballots.models import Nomination, NominationPeriod
from rankandfile.ballots.nominations import nomination_accept, nomination_create
from tests.nominations.nomination_helpers import branch_with_nominations
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


def _client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_from_setup_to_the_ballot_page_through_the_pages(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group, seconders_needed=1)
    a, b, c, d, *_ = branch.members
    organiser = Client()
    login_with_second_factor(organiser, branch.organiser)
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    new = reverse("ballots:nominations_new", kwargs={"group_slug": branch.group.slug})
    assert _client(a).get(new).status_code in (302, 404)  # not an organiser
    made = organiser.post(
        new,
        {
            "post": "Treasurer",
            "seats": 1,
            "seconders_needed": 1,
            "closes_at": closes,
            "voting_days": 7,
            "method": "scottish-stv",
        },
    )
    period = NominationPeriod.objects.get(post="Treasurer")
    assert made.status_code == 302 and made["Location"] == period.get_absolute_url()

    page = _client(a).get(period.get_absolute_url())
    assert page.status_code == 200 and b"Nominate a member" in page.content
    assert _client(make_member()).get(period.get_absolute_url()).status_code == 404

    for nominator, nominee in [(a, b), (b, c)]:
        done = _client(nominator).post(period.get_absolute_url(), {"nominee": nominee.pk})
        assert done.status_code == 302
    refused = _client(a).post(period.get_absolute_url(), {"nominee": a.pk})
    assert refused.status_code == 400  # oneself is not among the choices
    nomination_b = Nomination.objects.get(period=period, nominee=b)
    nomination_c = Nomination.objects.get(period=period, nominee=c)
    kwargs = {"period_id": period.pk, "nomination_id": nomination_b.pk}
    for nomination in (nomination_b, nomination_c):
        second = reverse(
            "ballots:nomination_second",
            kwargs={"period_id": period.pk, "nomination_id": nomination.pk},
        )
        assert _client(d).post(second).status_code == 302
    accept = reverse("ballots:nomination_accept", kwargs=kwargs)
    assert _client(a).get(accept).status_code == 404  # the nominee's page only
    statement = "I have **kept the books** for ten years.\n\n<script>alert(1)</script>"
    preview = _client(b).post(accept, {"statement": statement, "preview": "yes"})
    assert b"<strong>kept the books</strong>" in preview.content
    assert b"<script>alert" not in preview.content
    assert _client(b).post(accept, {"statement": statement}).status_code == 302
    too_long = _client(b).post(accept, {"statement": "word " * 501})
    assert too_long.status_code == 400 and b"at most 500 words" in too_long.content
    nomination_accept(nomination=nomination_c, nominee=c, statement="Change *everything*.")

    close = reverse("ballots:nominations_close", kwargs={"period_id": period.pk})
    asked = organiser.post(close)
    assert asked.status_code == 200 and b"Close nominations" in asked.content
    closed = organiser.post(close, {"confirmed": "yes"})
    period.refresh_from_db()
    assert period.ballot is not None
    assert closed.status_code == 302 and closed["Location"] == period.ballot.get_absolute_url()
    ballot_page = _client(a).get(period.ballot.get_absolute_url())
    assert b"The candidates and their statements" in ballot_page.content
    assert b"<strong>kept the books</strong>" in ballot_page.content
    assert b"<em>everything</em>" in ballot_page.content
    assert b"<script>alert" not in ballot_page.content
    assert str(period.shuffle_seed).encode() in ballot_page.content


def test_the_nominee_withdraws_after_confirming(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    withdraw = reverse(
        "ballots:nomination_withdraw",
        kwargs={"period_id": branch.period.pk, "nomination_id": nomination.pk},
    )
    assert _client(a).post(withdraw, {"confirmed": "yes"}).status_code == 404
    asked = _client(b).post(withdraw)
    assert asked.status_code == 200 and b"cannot be nominated again" in asked.content
    assert _client(b).post(withdraw, {"confirmed": "yes"}).status_code == 302
    nomination.refresh_from_db()
    assert nomination.withdrawn_at is not None


def test_the_nominations_page_reads_in_a_fixed_number_of_queries(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group, members=12)
    reader = _client(branch.members[-1])
    counts = []
    for nominees in (branch.members[:2], branch.members[2:10]):
        for nominee in nominees:
            nomination = nomination_create(
                period=branch.period, nominator=branch.members[-1], nominee=nominee
            )
            nomination_accept(nomination=nomination, nominee=nominee, statement="Vote *me*.")
        with CaptureQueriesContext(connection) as queries:
            assert reader.get(branch.period.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


def test_the_api_nominates_seconds_accepts_and_withdraws_with_the_pages_permissions(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, c, *_ = branch.members
    outsider = make_member()

    def auth(member: User) -> dict[str, str]:
        _, token = api_token_create(member=member, name="app", scope=TokenScope.READ_WRITE)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    base = f"/api/v1/ballots/nominations/{branch.period.pk}"
    assert client.get(base).status_code == 401
    assert client.get(base, **auth(outsider)).status_code == 404  # type: ignore[arg-type]
    made = client.post(
        f"{base}/nominate",
        {"nominee_id": b.pk},
        content_type="application/json",
        **auth(a),  # type: ignore[arg-type]
    )
    assert made.status_code == 201, made.content
    nomination_id = made.json()["id"]
    self_made = client.post(
        f"{base}/nominate",
        {"nominee_id": c.pk},
        content_type="application/json",
        **auth(c),  # type: ignore[arg-type]
    )
    assert self_made.status_code == 400
    assert "yourself" in self_made.json()["detail"]
    item = f"{base}/{nomination_id}"
    seconded = client.post(f"{item}/second", **auth(c))  # type: ignore[arg-type]
    assert seconded.status_code == 200 and seconded.json() == {"seconders": 1}
    assert client.post(f"{item}/second", **auth(c)).status_code == 400  # type: ignore[arg-type]
    assert client.post(f"{item}/second", **auth(outsider)).status_code == 404  # type: ignore[arg-type]
    statement = {"statement": "I will serve."}
    not_mine = client.post(
        f"{item}/accept",
        statement,
        content_type="application/json",
        **auth(c),  # type: ignore[arg-type]
    )
    assert not_mine.status_code == 403
    long = client.post(
        f"{item}/accept",
        {"statement": "word " * 501},
        content_type="application/json",
        **auth(b),  # type: ignore[arg-type]
    )
    assert long.status_code == 400 and "500 words" in long.json()["detail"]
    accepted = client.post(
        f"{item}/accept",
        statement,
        content_type="application/json",
        **auth(b),  # type: ignore[arg-type]
    )
    assert accepted.status_code == 200 and accepted.json()["accepted"] is True
    listed = client.get(base, **auth(a)).json()  # type: ignore[arg-type]
    assert [(n["nominee"], n["seconders"], n["statement"]) for n in listed["nominations"]] == [
        (str(b), 1, "I will serve.")
    ]
    assert listed["shuffle_seed"] == branch.period.shuffle_seed
    assert client.post(f"{item}/withdraw", **auth(a)).status_code == 403  # type: ignore[arg-type]
    withdrawn = client.post(f"{item}/withdraw", **auth(b))  # type: ignore[arg-type]
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
