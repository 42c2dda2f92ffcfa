"""The ballot pages: voting with a receipt, finding the ballot by receipt, results and bundle."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.ballots.models import BallotPaper, RollEntry
from rankandfile.ballots.services import QuestionInput, ballot_cast, ballot_close, ballot_open
from rankandfile.counting.recount import recount_bundle
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make, receipt_new, voters_make
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

QUESTIONS = [
    QuestionInput(text="Strike on 1 May?", method="yesno", quorum=1),
    QuestionInput(text="Committee", method="scottish-stv", choices=["Ann", "Bob", "Cat"], seats=2),
    QuestionInput(text="Banner colours", method="approval", choices=["Red", "Black"], seats=1),
]


@pytest.fixture
def setting(make_group: MakeGroup, make_member: MakeMember) -> dict[str, object]:
    group = make_group(visibility="public")
    organiser = group.memberships.get().member
    voter = make_member()
    group_join(group=group, member=voter)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group, questions=QUESTIONS))
    return {"group": group, "organiser": organiser, "voter": voter, "ballot": ballot}


def _form(receipt_hash: str) -> dict[str, object]:
    return {"receipt_hash": receipt_hash, "q1": "yes", "q2_c1": "2", "q2_c3": "1", "q3": ["2"]}


def test_a_member_votes_sees_it_was_cast_and_finds_it_by_receipt(
    client: Client, setting: dict[str, object]
) -> None:
    ballot, voter = setting["ballot"], setting["voter"]
    client.force_login(voter)  # type: ignore[arg-type]
    vote_url = reverse("ballots:vote", args=[ballot.pk])  # type: ignore[attr-defined]
    page = client.get(vote_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rank for Ann" in html and "Rank for Cat" in html
    assert 'src="/static/js/ballot.js"' in html

    # Without a receipt hash from the browser nothing is stored.
    refused = client.post(vote_url, _form(""))
    assert refused.status_code == 400
    assert "without a valid receipt" in refused.content.decode()
    # Ranks with a gap are refused with a clear message.
    gap = client.post(vote_url, {**_form(receipt_new()[1]), "q2_c3": "3"})
    assert gap.status_code == 400
    assert "no gaps and no number used twice" in gap.content.decode()
    assert not BallotPaper.objects.exists()

    code, receipt_hash = receipt_new()
    done = client.post(vote_url, _form(receipt_hash))
    assert done.status_code == 302
    assert done["Location"] == reverse("ballots:voted", args=[ballot.pk])  # type: ignore[attr-defined]
    paper = BallotPaper.objects.get()
    assert paper.receipt_hash == receipt_hash
    assert paper.contents == {"1": "yes", "2": [3, 1], "3": [2]}
    assert RollEntry.objects.get(member=voter).has_voted  # type: ignore[misc]

    detail = client.get(reverse("ballots:detail", args=[ballot.pk]))  # type: ignore[attr-defined]
    assert "A ballot has been cast in your name" in detail.content.decode()
    assert client.get(vote_url).status_code == 302  # no second ballot

    receipt_url = reverse("ballots:receipt", args=[ballot.pk])  # type: ignore[attr-defined]
    spaced = "-".join(code[i : i + 4] for i in range(0, 32, 4)).upper()
    found = client.post(receipt_url, {"code": spaced}).content.decode()
    assert "Your ballot is in the box" in found
    assert "1. Cat" in found and "2. Ann" in found and "Approved: Black" in found
    missing = client.post(receipt_url, {"code": receipt_new()[0]}).content.decode()
    assert "No ballot has this receipt code" in missing


def test_results_and_bundle_appear_only_after_the_close(
    client: Client, setting: dict[str, object]
) -> None:
    ballot, organiser = setting["ballot"], setting["organiser"]
    ballot_cast(
        ballot=ballot,  # type: ignore[arg-type]
        member=setting["voter"],  # type: ignore[arg-type]
        receipt_hash=receipt_new()[1],
        answers={"1": "no", "2": [1, 2], "3": [1]},
    )
    results_url = reverse("ballots:results", args=[ballot.pk])  # type: ignore[attr-defined]
    bundle_url = reverse("ballots:bundle", args=[ballot.pk])  # type: ignore[attr-defined]
    assert client.get(results_url).status_code == 404
    assert client.get(bundle_url).status_code == 404

    client.force_login(setting["voter"])  # type: ignore[arg-type]
    close_url = reverse("ballots:close", args=[ballot.pk])  # type: ignore[attr-defined]
    assert client.post(close_url).status_code in (302, 404)
    assert client.get(results_url).status_code == 404  # a member cannot close early

    login_with_second_factor(client, organiser)  # type: ignore[arg-type]
    asked = client.post(close_url)
    assert "1 of 2 members on the roll has voted." in asked.content.decode()
    assert client.post(close_url, {"confirmed": "yes"})["Location"] == results_url
    client.logout()
    page = client.get(results_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 of 2 members on the roll voted (50.0%)" in html
    assert "Quorum met: 1 ballot returned, 1 needed." in html
    assert "Stage 1" in html and 'class="chart-name"' in html
    bundle = client.get(bundle_url)
    assert bundle["Content-Type"] == "application/zip"
    data = b"".join(bundle.streaming_content) if bundle.streaming else bundle.content  # type: ignore[attr-defined]
    assert recount_bundle(data)[0] == []
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"questions/1.csv", "questions/2.blt", "questions/3.csv", "SHA256SUMS"} <= set(names)


def test_a_hidden_groups_ballot_does_not_exist_for_outsiders(
    client: Client, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group(visibility="hidden")
    organiser = group.memberships.get().member
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    client.force_login(make_member())
    for name in ("detail", "vote", "receipt", "results", "bundle"):
        assert client.get(reverse(f"ballots:{name}", args=[ballot.pk])).status_code == 404
    login_with_second_factor(client, organiser)
    assert client.get(reverse("ballots:detail", args=[ballot.pk])).status_code == 200


def test_a_draft_is_seen_only_by_its_organisers(
    client: Client, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    ballot = ballot_make(organiser=organiser, group=group)
    member = make_member()
    voters_make(group, 1)
    client.force_login(member)
    assert client.get(reverse("ballots:detail", args=[ballot.pk])).status_code == 404
    login_with_second_factor(client, organiser)
    assert client.get(reverse("ballots:detail", args=[ballot.pk])).status_code == 200
    assert client.get(reverse("ballots:list")).status_code == 200


def test_an_organiser_creates_a_ballot_on_the_page_and_opens_it(
    client: Client,
    make_group: MakeGroup,
    make_member: MakeMember,
    django_assert_max_num_queries: object,
) -> None:
    group = make_group(name="Leeds Left")
    organiser = group.memberships.get().member
    voters_make(group, 3)
    login_with_second_factor(client, organiser)
    listing = client.get(reverse("ballots:list")).content.decode()
    assert "New ballot for Leeds Left" in listing
    url = reverse("ballots:create") + f"?group={group.slug}"
    assert client.get(url).status_code == 200
    form = {
        "title": "Committee election",
        "opens_at": "2098-01-01T10:00",
        "closes_at": "2099-01-01T10:00",
        "electorate": "members",
        "q1-text": "Committee",
        "q1-method": "scottish-stv",
        "q1-choices": "Ann\nBob\nCat\n",
        "q1-seats": "2",
        "q1-threshold": "simple",
        "q2-text": "Strike?",
        "q2-method": "yesno",
        "q2-seats": "1",
        "q2-quorum": "2",
        "q2-threshold": "two-thirds",
        "q3-method": "yesno",
        "q3-seats": "1",
        "q3-threshold": "simple",
    }
    bad = client.post(url, {**form, "q1-choices": "Ann"})
    assert bad.status_code == 400
    assert "needs at least two candidates" in bad.content.decode()
    created = client.post(url, form)
    ballot = group.ballots.get()
    assert created["Location"] == ballot.get_absolute_url()
    assert [(q.method, q.seats, q.threshold) for q in ballot.questions.all()] == [
        ("scottish-stv", 2, "simple"),
        ("yesno", 1, "two-thirds"),
    ]
    client.post(reverse("ballots:open", args=[ballot.pk]), {"confirmed": "yes"})
    ballot.refresh_from_db()
    assert (ballot.state, ballot.roll_size) == ("open", 4)

    # The member's ballot list does not grow in queries with the number of ballots.
    member = make_member()
    group_join(group=group, member=member)
    for _ in range(3):
        ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    client.force_login(member)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert client.get(reverse("ballots:list")).status_code == 200
    assert client.get(url).status_code == 302  # no MFA: sent to set it up first


def test_a_vote_reads_nothing_before_it_writes_in_one_transaction(
    client: Client,
    setting: dict[str, object],
    django_assert_num_queries: object,
) -> None:
    """The vote post's queries: the session and the member; then, in one transaction, the share
    lock on the ballot, the roll mark and the paper. The open ballot and its questions are
    copies kept in the cache (the first post made them), and the roll entry is not read first:
    the roll mark says whether the voter may vote."""
    ballot, voter = setting["ballot"], setting["voter"]
    client.force_login(voter)  # type: ignore[arg-type]
    vote_url = reverse("ballots:vote", args=[ballot.pk])  # type: ignore[attr-defined]
    assert client.post(vote_url, _form("")).status_code == 400  # no receipt: nothing stored
    with django_assert_num_queries(7):  # type: ignore[operator]
        done = client.post(vote_url, _form(receipt_new()[1]))
    assert done["Location"] == reverse("ballots:voted", args=[ballot.pk])  # type: ignore[attr-defined]
    assert BallotPaper.objects.get().contents == {"1": "yes", "2": [3, 1], "3": [2]}


def test_a_vote_sent_again_or_from_off_the_roll_or_after_the_close_is_refused_with_why(
    client: Client, setting: dict[str, object], make_member: MakeMember
) -> None:
    """The voting page does not read the roll before the cast, and its copy of the open ballot
    can be two seconds old: the cast refuses, and the ballot's page says why."""
    ballot, voter, organiser = setting["ballot"], setting["voter"], setting["organiser"]
    vote_url = reverse("ballots:vote", args=[ballot.pk])  # type: ignore[attr-defined]
    client.force_login(voter)  # type: ignore[arg-type]
    assert client.post(vote_url, _form(receipt_new()[1])).status_code == 302
    again = client.post(vote_url, _form(receipt_new()[1]), follow=True)
    assert "A ballot has already been cast in your name." in again.content.decode()

    client.force_login(make_member())
    outsider = client.post(vote_url, _form(receipt_new()[1]), follow=True)
    assert "You are not on the roll for this ballot." in outsider.content.decode()

    ballot_close(ballot=ballot, actor=organiser)  # type: ignore[arg-type]
    client.force_login(organiser)  # type: ignore[arg-type]
    late = client.post(vote_url, _form(receipt_new()[1]), follow=True)  # the copy says open
    assert "This ballot is not open for voting." in late.content.decode()
    assert BallotPaper.objects.count() == 1
