"""The proposal pages, as members use them: a draft written with a preview, opened, supported
(htmx answers with the panel), commented on, amended with a preview of the changes, the
amendment accepted and seen in the history; outsiders get a 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.proposals.models import Comment, Proposal, ProposalState
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import branch_make, proposal_opened

pytestmark = pytest.mark.django_db


def _client(member: object) -> Client:
    client = Client()
    client.force_login(member)  # type: ignore[arg-type]
    return client


def test_a_member_drafts_opens_and_another_amends_then_the_proposer_accepts(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=1)
    proposer, other = _client(branch.proposer), _client(branch.members[0])
    new = reverse("proposals:new", kwargs={"group_slug": branch.group.slug})
    draft = {"title": "Homes for all", "text": "We want **500** homes.\n\n<script>x</script>"}

    preview = proposer.post(new, draft | {"preview": "yes"})
    assert preview.status_code == 200
    assert b"<strong>500</strong>" in preview.content
    assert b"&lt;script&gt;x&lt;/script&gt;" in preview.content
    assert not Proposal.objects.exists()

    saved = proposer.post(new, draft)
    proposal = Proposal.objects.get()
    assert saved.status_code == 302 and saved["Location"] == proposal.get_absolute_url()
    assert other.get(proposal.get_absolute_url()).status_code == 404  # a draft is the proposer's

    opened = proposer.post(
        reverse("proposals:open", kwargs={"proposal_id": proposal.pk}), {"confirmed": "yes"}
    )
    assert opened.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DISCUSSION

    page = other.get(proposal.get_absolute_url())
    assert page.status_code == 200
    assert b"Rosa Proposer" in page.content  # who proposed it, by display name
    assert b"<strong>500</strong>" in page.content

    support = other.post(
        reverse("proposals:support", kwargs={"proposal_id": proposal.pk}),
        {"support": "yes"},
        headers={"HX-Request": "true"},
    )
    assert support.status_code == 200
    assert b"1 of 1 supporters needed" in support.content
    assert b"Withdraw my support" in support.content

    comment = other.post(
        reverse("proposals:comment_create", kwargs={"proposal_id": proposal.pk}),
        {"text": "Why not *more*?"},
    )
    assert comment.status_code == 302
    assert Comment.objects.get().text == "Why not *more*?"

    amend = reverse("proposals:amend", kwargs={"proposal_id": proposal.pk})
    amended = {"proposed_text": proposal.text.replace("500", "1,000"), "reason": "More."}
    shown = other.post(amend, amended | {"preview": "yes"})
    assert b'<del><span class="visually-hidden">[removed: </span>500' in shown.content
    assert b'<ins><span class="visually-hidden">[added: </span>1,000' in shown.content
    assert other.post(amend, amended).status_code == 302
    amendment = proposal.amendments.get()

    decide = reverse("proposals:amendment_decide", kwargs={"amendment_id": amendment.pk})
    assert other.post(decide, {"decision": "accept"}).status_code == 302
    assert proposal.amendments.get().state == "open"  # only the proposer decides
    assert proposer.post(decide, {"decision": "accept"}).status_code == 302
    page = proposer.get(proposal.get_absolute_url())
    assert b"Version 2" in page.content and b"made by amendment 1" in page.content
    assert b"<strong>1,000</strong>" in page.content


def test_outsiders_and_anonymous_visitors_see_nothing(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = Proposal.objects.create(
        group=branch.group, proposer=branch.proposer, title="Secret plans", text="Plans."
    )
    outsider = _client(make_member())
    listing = reverse("proposals:list", kwargs={"group_slug": branch.group.slug})
    assert outsider.get(listing).status_code == 404
    assert outsider.get(proposal.get_absolute_url()).status_code == 404
    assert Client().get(listing).status_code == 302


def test_a_page_of_a_thousand_comments_answers_in_a_bounded_number_of_queries(
    make_member: MakeMember, make_group: MakeGroup, django_assert_max_num_queries: object
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    authors = branch.members
    Comment.objects.bulk_create(
        Comment(proposal=proposal, author=authors[i % len(authors)], text=f"Comment {i}")
        for i in range(500)
    )
    tops = list(Comment.objects.filter(proposal=proposal).order_by("pk"))
    Comment.objects.bulk_create(
        Comment(proposal=proposal, author=authors[i % 3], parent=tops[i], text=f"Reply {i}")
        for i in range(500)
    )
    assert Comment.objects.filter(proposal=proposal).count() == 1000
    client = _client(branch.members[0])
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        first = client.get(proposal.get_absolute_url())
    assert first.status_code == 200
    assert b"Comment 0" in first.content and b"Reply 0" in first.content
    assert b"Comment 50<" not in first.content
    assert b"Page 1 of 10" in first.content
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        last = client.get(proposal.get_absolute_url() + "?page=10")
    assert b"Comment 499" in last.content and b"Reply 499" in last.content


def test_a_link_to_a_comment_lands_on_the_page_of_its_thread(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    Comment.objects.bulk_create(
        Comment(proposal=proposal, author=branch.members[0], text=f"Comment {i}")
        for i in range(120)
    )
    late = Comment.objects.filter(proposal=proposal).order_by("pk")[110]
    client = _client(branch.members[1])
    posted = client.post(
        reverse("proposals:comment_create", kwargs={"proposal_id": proposal.pk}),
        {"text": "A reply.", "parent": late.pk},
    )
    reply = Comment.objects.get(parent=late)
    assert posted["Location"] == reverse("proposals:comment", kwargs={"comment_id": reply.pk})
    landed = client.get(posted["Location"])
    assert landed["Location"] == f"{proposal.get_absolute_url()}?page=3#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"'.encode() in client.get(landed["Location"]).content
