"""The ballots API: authenticated, the same voting rules as the page, results only after close."""

from __future__ import annotations

from django.test import Client

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.ballots.models import BallotPaper
from rankandfile.ballots.services import ballot_close, ballot_open
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make, receipt_hash
from tests.personas import MakeGroup, MakeMember


def test_the_api_reads_ballots_votes_once_by_token_and_shows_results_after_close(
    client: Client, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voter = make_member()
    group_join(group=group, member=voter)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    _, token = api_token_create(member=voter, name="phone", scope=TokenScope.READ_WRITE)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    base = f"/api/v1/ballots/{ballot.pk}"

    assert client.get("/api/v1/ballots/").status_code == 401
    listed = client.get("/api/v1/ballots/", **auth).json()  # type: ignore[arg-type]
    assert [(b["id"], b["on_roll"], b["has_voted"]) for b in listed] == [(ballot.pk, True, False)]
    detail = client.get(base, **auth).json()  # type: ignore[arg-type]
    assert detail["questions"][1]["choices"] == ["Ann", "Bob", "Cat"]
    assert client.get(f"{base}/results", **auth).status_code == 404  # type: ignore[arg-type]

    vote = {"receipt_hash": receipt_hash(), "answers": {"1": "no", "2": [2, 3]}}
    bad = client.post(
        f"{base}/vote",
        {**vote, "receipt_hash": "not a hash"},
        content_type="application/json",
        **auth,  # type: ignore[arg-type]
    )
    assert bad.status_code == 400
    assert "valid receipt" in bad.json()["detail"]
    wrong = {"receipt_hash": receipt_hash(), "answers": {"1": "no", "2": [2, 2]}}
    refused = client.post(f"{base}/vote", wrong, content_type="application/json", **auth)  # type: ignore[arg-type]
    assert refused.status_code == 400
    assert refused.json()["detail"] == "question 2: each candidate can be chosen only once"
    cast = client.post(f"{base}/vote", vote, content_type="application/json", **auth)  # type: ignore[arg-type]
    assert cast.status_code == 201
    assert cast.json() == {"receipt_hash": vote["receipt_hash"]}
    again = {**vote, "receipt_hash": receipt_hash()}
    twice = client.post(f"{base}/vote", again, content_type="application/json", **auth)  # type: ignore[arg-type]
    assert twice.status_code == 409
    assert BallotPaper.objects.count() == 1

    _, outsider_token = api_token_create(
        member=make_member(), name="x", scope=TokenScope.READ_WRITE
    )
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {outsider_token}"}
    not_on_roll = client.post(
        f"{base}/vote",
        {**vote, "receipt_hash": receipt_hash()},
        content_type="application/json",
        **outsider,  # type: ignore[arg-type]
    )
    assert not_on_roll.status_code == 403

    ballot_close(ballot=ballot, actor=organiser)
    results = client.get(f"{base}/results", **auth).json()  # type: ignore[arg-type]
    assert (results["roll_size"], results["voted"]) == (2, 1)
    assert results["questions"][0]["result"]["outcome"] == "inquorate"  # quorum 2
    # Bob reaches the quota; Ann and Cat are level on nothing, so the recorded seed decides.
    assert results["questions"][1]["result"]["elected"][0] == "Bob"
    assert results["tie_break_seed"] == ballot.tie_break_seed
