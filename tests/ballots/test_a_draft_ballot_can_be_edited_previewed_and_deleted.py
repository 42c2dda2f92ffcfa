"""A draft ballot is its organisers' to edit (any number of questions, added and removed
without JavaScript), to preview as voters will see it and to delete, until voting opens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.audit.models import AuditEntry
from rankandfile.ballots.models import Ballot, BallotState
from rankandfile.ballots.services import (
    MAX_QUESTIONS,
    BallotError,
    QuestionInput,
    ballot_delete,
    ballot_open,
    ballot_update,
)
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

LATER = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
MUCH_LATER = (timezone.localtime() + timedelta(days=37)).strftime("%Y-%m-%dT10:00")


def _question(n: int, **values: str) -> dict[str, str]:
    row = {"method": "yesno", "seats": "1", "quorum": "0", "threshold": "simple", **values}
    return {f"q{n}-{name}": value for name, value in row.items()}


def _details(**values: str) -> dict[str, str]:
    return {
        "title": "Branch officers",
        "description": "",
        "opens_at": LATER,
        "closes_at": MUCH_LATER,
        "electorate": "members",
        **values,
    }


@pytest.mark.django_db
def test_a_draft_is_written_with_added_and_removed_questions_then_edited_and_previewed(
    client: Client, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group(name="Leeds Left")
    organiser = group.memberships.get().member
    login_with_second_factor(client, organiser)
    new_url = reverse("ballots:create") + f"?group={group.slug}"

    # "Add a question" shows the page again with one more row, keeping what was typed, and
    # saves nothing.
    typed = {**_details(), **_question(1, text="Strike on 1 May?")}
    more = client.post(new_url, {**typed, "add_question": "1"})
    html = more.content.decode()
    assert more.status_code == 200
    assert 'name="q2-text"' in html and 'name="q3-text"' not in html
    assert 'name="q2-text" maxlength="500" autofocus' in html
    assert 'value="Strike on 1 May?"' in html and 'value="Branch officers"' in html
    assert "There is a problem" not in html
    assert not Ballot.objects.exists()

    created = client.post(
        new_url,
        {
            **typed,
            **_question(2, text="Chair", method="irv", choices="Ann\nBob"),
            **_question(3, text="A question ticked for removal", remove="on"),
        },
    )
    ballot = Ballot.objects.get()
    assert created["Location"] == ballot.get_absolute_url()
    assert [q.text for q in ballot.questions.all()] == ["Strike on 1 May?", "Chair"]

    # The draft lists itself for its organiser, and its page offers edit, preview and delete.
    assert "Branch officers" in client.get(reverse("ballots:list")).content.decode()
    detail = client.get(ballot.get_absolute_url()).content.decode()
    for name in ("update", "preview", "delete", "open"):
        assert reverse(f"ballots:{name}", args=[ballot.pk]) in detail

    edit_url = reverse("ballots:update", args=[ballot.pk])
    form = client.get(edit_url).content.decode()
    assert 'value="Branch officers"' in form and "Ann\nBob</textarea>" in form
    assert f'value="{LATER}"' in form
    edited = client.post(
        edit_url,
        {
            **_details(title="Branch officers 2027"),
            **_question(1, text="Strike on 1 May?", remove="on"),
            **_question(2, text="Chair", method="irv", choices="Ann\nBob\nCat"),
            **_question(3, text="Banner", method="approval", choices="Red\nBlack"),
            **_question(4, text="Affiliate?", quorum="3", threshold="two-thirds"),
        },
    )
    assert edited["Location"] == ballot.get_absolute_url()
    ballot.refresh_from_db()
    assert ballot.title == "Branch officers 2027"
    assert [(q.position, q.text, q.method, q.quorum) for q in ballot.questions.all()] == [
        (1, "Chair", "irv", 0),
        (2, "Banner", "approval", 0),
        (3, "Affiliate?", "yesno", 3),
    ]
    assert [c.name for c in ballot.questions.get(position=1).choices.all()] == ["Ann", "Bob", "Cat"]

    # The preview is the vote page as voters will see it, which cannot be sent.
    preview = client.get(reverse("ballots:preview", args=[ballot.pk]))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "This is the ballot as voters will see it" in html
    assert "Rank for Cat" in html and "Approved" not in html and "Affiliate?" in html
    assert "js/ballot.js" not in html
    assert '<button type="button" class="button" disabled>Cast my ballot</button>' in html

    # Members who do not organise the group see no draft, preview or edit page.
    member = make_member(mfa=True)
    group_join(group=group, member=member)
    other = Client()
    login_with_second_factor(other, member)
    for name in ("detail", "preview", "update"):
        assert other.get(reverse(f"ballots:{name}", args=[ballot.pk])).status_code == 404
    assert other.post(reverse("ballots:delete", args=[ballot.pk])).status_code == 404


@pytest.mark.django_db
def test_deleting_a_draft_asks_first_and_an_opened_ballot_cannot_be_changed_or_deleted(
    client: Client, make_group: MakeGroup
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    draft = ballot_make(organiser=organiser, group=group, title="Draft to delete")
    login_with_second_factor(client, organiser)
    delete_url = reverse("ballots:delete", args=[draft.pk])

    assert client.get(delete_url)["Location"] == draft.get_absolute_url()
    asked = client.post(delete_url)
    html = asked.content.decode()
    assert asked.status_code == 200
    assert "Delete the draft “Draft to delete”?" in html
    assert 'name="confirmed" value="yes"' in html
    assert Ballot.objects.filter(pk=draft.pk).exists()
    done = client.post(delete_url, {"confirmed": "yes"})
    assert done["Location"] == reverse("ballots:list")
    assert not Ballot.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(action="ballot.draft_deleted", target_id=draft.pk).exists()

    opened = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    assert client.get(reverse("ballots:update", args=[opened.pk]))["Location"] == (
        opened.get_absolute_url()
    )
    client.post(reverse("ballots:delete", args=[opened.pk]), {"confirmed": "yes"})
    assert Ballot.objects.get(pk=opened.pk).state == BallotState.OPEN
    with pytest.raises(BallotError, match="can no longer be changed"):
        ballot_delete(ballot=opened, actor=organiser)
    with pytest.raises(BallotError, match="can no longer be changed"):
        ballot_update(
            ballot=opened,
            actor=organiser,
            title="Changed after opening",
            opens_at=opened.opens_at,
            closes_at=opened.closes_at,
            questions=[QuestionInput(text="Anything?", method="yesno")],
        )


@pytest.mark.django_db
def test_a_ballot_holds_any_number_of_questions_up_to_a_cap(make_group: MakeGroup) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    many = [QuestionInput(text=f"Motion {n}?", method="yesno") for n in range(1, 21)]
    ballot = ballot_make(organiser=organiser, group=group, questions=many)
    assert ballot.questions.count() == 20
    too_many = [*many, *many, *many][: MAX_QUESTIONS + 1]
    with pytest.raises(BallotError, match=f"at most {MAX_QUESTIONS} questions"):
        ballot_update(
            ballot=ballot,
            actor=organiser,
            title=ballot.title,
            opens_at=ballot.opens_at,
            closes_at=ballot.closes_at,
            questions=too_many,
        )
    assert ballot.questions.count() == 20
