"""A group applies to join the network; only a network coordinator, with a second factor used in
the session, approves or declines it (a decline needs a reason); the group can leave and apply
again. Every step is in the audit log, with identifiers only, and the organisers are told of the
decision by email through the outbox."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.models import AuditEntry
from rankandfile.groups.affiliations import (
    AffiliationError,
    affiliation_decision_record,
    affiliation_leave,
)
from rankandfile.groups.models import Affiliation, AffiliationStatus, Group, Membership, Role
from rankandfile.notifications.models import Message, MessageClass
from rankandfile.notifications.rendering import render_parts
from rankandfile.notifications.services import affiliation_apply, affiliation_decide
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

STATEMENT = "We are Leeds tenants organising against no-fault evictions."
REASON = "Please add the postcode districts your group covers, then apply again."


def _signed_in(member: User) -> Client:
    client = Client()
    login_with_second_factor(client, member)
    return client


def _audit(group: Group) -> list[tuple[str, dict[str, object]]]:
    entries = AuditEntry.objects.filter(target_type="group", target_id=str(group.pk))
    return [(e.action, e.details) for e in entries.order_by("created_at", "pk")]


def _decide_url(affiliation: Affiliation) -> str:
    return reverse("coordinators:affiliation_decide", kwargs={"affiliation_id": affiliation.pk})


def test_an_organiser_applies_a_coordinator_approves_and_it_is_audited_and_emailed(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser, name="Leeds Tenants")
    second = make_member(mfa=True)
    Membership.objects.create(group=group, member=second, role=Role.ORGANISER)
    coordinator = make_member(coordinator=True)

    organiser_client = _signed_in(organiser)
    url = reverse("groups:affiliation", kwargs={"slug": group.slug})
    page = organiser_client.get(url)
    assert "is not affiliated to the network and has not applied" in page.content.decode()
    response = organiser_client.post(url, {"statement": STATEMENT}, follow=True)
    assert "The application has been sent" in response.content.decode()
    affiliation = Affiliation.objects.get(group=group)
    assert affiliation.status == AffiliationStatus.PENDING
    assert affiliation.statement == STATEMENT
    assert "is waiting for a network coordinator" in response.content.decode()

    # The coordinator is told by a service message, which links to the decision page.
    [applied] = Message.objects.filter(template="affiliation_applied")
    assert (applied.recipient, applied.message_class) == (coordinator, MessageClass.SERVICE)
    subject, text, _ = render_parts(
        template="affiliation_applied", context=applied.context, recipient=coordinator
    )
    assert subject == "Leeds Tenants has applied to join the network"
    assert _decide_url(affiliation) in text

    coordinator_client = _signed_in(coordinator)
    queue = coordinator_client.get(reverse("coordinators:affiliations")).content.decode()
    assert "Leeds Tenants" in queue and "1 application waiting" in queue
    decide = coordinator_client.get(_decide_url(affiliation)).content.decode()
    assert STATEMENT in decide
    response = coordinator_client.post(_decide_url(affiliation), {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == reverse("coordinators:affiliations")

    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.APPROVED
    assert affiliation.decided_by == coordinator and affiliation.decided_at is not None
    assert _audit(group) == [
        ("affiliation_applied", {"affiliation_id": affiliation.pk, "with_statement": True}),
        ("affiliation_approved", {"affiliation_id": affiliation.pk}),
    ]
    entries = AuditEntry.objects.filter(action__startswith="affiliation_")
    assert [e.actor for e in entries.order_by("pk")] == [organiser, coordinator]

    # Both organisers, and nobody else, are told by a service message.
    messages = Message.objects.filter(template="affiliation_decided")
    assert {m.recipient for m in messages} == {organiser, second}
    assert {m.message_class for m in messages} == {MessageClass.SERVICE}
    subject, text, _ = render_parts(
        template="affiliation_decided", context=messages[0].context, recipient=organiser
    )
    assert subject == "Leeds Tenants has joined the network"
    assert f"/groups/{group.slug}/manage/affiliation/" in text

    status = organiser_client.get(url).content.decode()
    assert "has been affiliated to the network since" in status
    assert "Leave the network" in status


def test_a_coordinator_who_organises_the_group_is_not_told_and_may_not_decide(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organising_coordinator = make_member(coordinator=True)
    group = make_group(organiser=organising_coordinator, name="Leeds Tenants")
    other_coordinator = make_member(coordinator=True)
    affiliation = affiliation_apply(group=group, organiser=organising_coordinator)
    told = Message.objects.filter(template="affiliation_applied")
    assert [m.recipient for m in told] == [other_coordinator]

    with pytest.raises(AffiliationError, match="another network coordinator must decide"):
        affiliation_decision_record(
            affiliation=affiliation, coordinator=organising_coordinator, approve=True
        )
    client = _signed_in(organising_coordinator)
    page = client.get(_decide_url(affiliation)).content.decode()
    assert "You organise Leeds Tenants, so another network coordinator must decide" in page
    assert 'value="approve"' not in page
    response = client.post(_decide_url(affiliation), {"decision": "approve"}, follow=True)
    assert "another network coordinator must decide" in response.content.decode()
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.PENDING
    assert not AuditEntry.objects.filter(action="affiliation_approved").exists()

    affiliation_decide(affiliation=affiliation, coordinator=other_coordinator, approve=True)
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.APPROVED


def test_a_decline_needs_a_reason_which_the_organisers_read(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser, name="Bradford Arts")
    affiliation = affiliation_apply(group=group, organiser=organiser)
    coordinator_client = _signed_in(make_member(coordinator=True))

    response = coordinator_client.post(
        _decide_url(affiliation), {"decision": "decline", "reason": "   "}
    )
    assert response.status_code == 200  # the page asks again
    page = response.content.decode()
    assert "Give a reason for declining: the group&#x27;s organisers will read it." in page
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.PENDING
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(action="affiliation_declined").exists()

    response = coordinator_client.post(
        _decide_url(affiliation), {"decision": "decline", "reason": REASON}
    )
    assert response.status_code == 302
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.DECLINED
    assert affiliation.decline_reason == REASON
    (entry,) = AuditEntry.objects.filter(action="affiliation_declined")
    assert entry.details == {"affiliation_id": affiliation.pk}  # never the reason's words
    assert "postcode districts" not in repr(list(AuditEntry.objects.values()))

    (message,) = Message.objects.filter(template="affiliation_decided")
    subject, text, html = render_parts(
        template="affiliation_decided", context=message.context, recipient=organiser
    )
    assert subject == "Application to join the network declined: Bradford Arts"
    assert REASON in text and REASON in html

    status = _signed_in(organiser).get(reverse("groups:affiliation", kwargs={"slug": group.slug}))
    assert REASON in status.content.decode()
    assert "Apply again" in status.content.decode()


def test_the_decision_service_refuses_a_decline_without_reason_and_a_non_coordinator(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    affiliation = affiliation_apply(group=make_group(organiser=organiser), organiser=organiser)
    coordinator = make_member(coordinator=True)
    with pytest.raises(AffiliationError, match="Give a reason for declining"):
        affiliation_decision_record(
            affiliation=affiliation, coordinator=coordinator, approve=False, reason=""
        )
    with pytest.raises(AffiliationError, match="Only network coordinators"):
        affiliation_decide(affiliation=affiliation, coordinator=organiser, approve=True)
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.PENDING
    affiliation_decide(affiliation=affiliation, coordinator=coordinator, approve=True)
    with pytest.raises(AffiliationError, match="already been decided"):
        affiliation_decide(
            affiliation=affiliation, coordinator=coordinator, approve=False, reason="Late."
        )


def test_a_non_coordinator_cannot_open_the_queue_or_decide(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    affiliation = affiliation_apply(group=group, organiser=organiser)
    staff = make_member(mfa=True)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    for person in (organiser, staff, make_member(mfa=True)):
        client = _signed_in(person)
        assert client.get(reverse("coordinators:affiliations")).status_code == 403
        assert client.get(_decide_url(affiliation)).status_code == 403
        response = client.post(_decide_url(affiliation), {"decision": "approve"})
        assert response.status_code == 403
    anonymous = Client().post(_decide_url(affiliation), {"decision": "approve"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.PENDING
    assert not AuditEntry.objects.filter(action="affiliation_approved").exists()


def test_a_coordinator_without_a_second_factor_used_in_the_session_cannot_decide(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    affiliation = affiliation_apply(group=make_group(organiser=organiser), organiser=organiser)
    coordinator = make_member(coordinator=True)
    client = Client()
    client.force_login(coordinator)  # a password login: no second factor used yet
    for response in (
        client.get(reverse("coordinators:affiliations")),
        client.post(_decide_url(affiliation), {"decision": "approve"}),
    ):
        assert response.status_code == 302
        assert "reauthenticate" in response["Location"]
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.PENDING

    login_with_second_factor(client, coordinator)
    assert client.get(reverse("coordinators:affiliations")).status_code == 200


def test_only_coordinators_see_the_link_to_the_queue(
    make_member: MakeMember,
) -> None:
    queue = reverse("coordinators:affiliations")
    assert queue not in _signed_in(make_member(mfa=True)).get("/").content.decode()
    assert queue in _signed_in(make_member(coordinator=True)).get("/").content.decode()


def test_a_group_leaves_after_confirming_and_may_apply_again(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    first = affiliation_apply(group=group, organiser=organiser)
    affiliation_decide(affiliation=first, coordinator=make_member(coordinator=True), approve=True)
    client = _signed_in(organiser)
    leave = reverse("groups:affiliation_leave", kwargs={"slug": group.slug})

    asked = client.post(leave)
    assert asked.status_code == 200
    assert f"Take {group.name} out of the network?" in asked.content.decode()
    first.refresh_from_db()
    assert first.status == AffiliationStatus.APPROVED

    response = client.post(leave, {"confirmed": "yes"}, follow=True)
    assert f"{group.name} has left the network." in response.content.decode()
    first.refresh_from_db()
    assert first.status == AffiliationStatus.LEFT
    assert first.left_by == organiser and first.left_at is not None
    assert _audit(group)[-1] == ("affiliation_left", {"affiliation_id": first.pk})

    with pytest.raises(AffiliationError, match="not affiliated"):
        affiliation_leave(group=group, organiser=organiser)
    again = client.post(
        reverse("groups:affiliation", kwargs={"slug": group.slug}), {"statement": ""}
    )
    assert again.status_code == 302
    assert group.affiliations.filter(status=AffiliationStatus.PENDING).count() == 1
    assert [action for action, _ in _audit(group)] == [
        "affiliation_applied",
        "affiliation_approved",
        "affiliation_left",
        "affiliation_applied",
    ]


def test_only_organisers_of_the_group_apply_or_leave(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(visibility="public")
    member = make_member(mfa=True)
    Membership.objects.create(group=group, member=member)
    client = _signed_in(member)
    url = reverse("groups:affiliation", kwargs={"slug": group.slug})
    assert client.post(url, {"statement": "Let us in."}).status_code == 404
    leave = reverse("groups:affiliation_leave", kwargs={"slug": group.slug})
    assert client.post(leave, {"confirmed": "yes"}).status_code == 404
    assert not Affiliation.objects.exists()
    with pytest.raises(AffiliationError, match="Only an organiser"):
        affiliation_apply(group=group, organiser=member)


def test_one_open_application_a_group_is_a_database_constraint(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    affiliation_apply(group=group, organiser=organiser)
    with pytest.raises(AffiliationError, match="already waiting"):
        affiliation_apply(group=group, organiser=organiser)
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(group=group, applied_by=organiser)
    assert group.affiliations.count() == 1
    # Nor may a group apply while affiliated.
    affiliation_decide(
        affiliation=group.affiliations.get(),
        coordinator=make_member(coordinator=True),
        approve=True,
    )
    with pytest.raises(AffiliationError, match="already affiliated"):
        affiliation_apply(group=group, organiser=organiser)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": AffiliationStatus.APPROVED},  # a decision without its time
        {"status": AffiliationStatus.DECLINED, "decided_at": "now"},  # a decline, no reason
        {"status": AffiliationStatus.LEFT, "decided_at": "now"},  # left, without when
        {"status": AffiliationStatus.PENDING, "decided_at": "now"},  # undecided, yet decided
    ],
)
def test_decisions_are_held_by_check_constraints(
    make_member: MakeMember, make_group: MakeGroup, fields: dict[str, object]
) -> None:
    group = make_group()
    if fields.get("decided_at") == "now":
        fields = {**fields, "decided_at": timezone.now()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(group=group, **fields)


def test_the_queue_answers_in_a_fixed_number_of_queries(
    make_member: MakeMember,
    make_group: MakeGroup,
    django_assert_max_num_queries: object,
) -> None:
    organiser = make_member(mfa=True)
    for n in range(30):
        group = make_group(organiser=organiser, districts=("LS6", f"LS{n % 9 + 1}"))
        affiliation_apply(group=group, organiser=organiser, statement=f"Statement {n}")
    coordinator = make_member(coordinator=True)
    decided = affiliation_apply(group=make_group(organiser=organiser), organiser=organiser)
    affiliation_decide(affiliation=decided, coordinator=coordinator, approve=True)
    client = _signed_in(coordinator)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        response = client.get(reverse("coordinators:affiliations"))
    page = response.content.decode()
    assert "30 applications waiting" in page
    assert page.count("Decide<span") == 30
    latest = page.split("Latest decisions")[1]
    assert "approved on" in latest and "by Comrade" in latest


def test_what_was_typed_comes_back_with_the_error(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    too_long = "We organise. " * 80  # over 1,000 characters
    response = _signed_in(organiser).post(
        reverse("groups:affiliation", kwargs={"slug": group.slug}), {"statement": too_long}
    )
    page = response.content.decode()
    assert "Ensure this value has at most 1000 characters" in page
    assert too_long.strip() in page
    assert not Affiliation.objects.exists()

    affiliation = affiliation_apply(group=group, organiser=organiser)
    response = _signed_in(make_member(coordinator=True)).post(
        _decide_url(affiliation), {"decision": "decline", "reason": "No. " * 300}
    )
    assert "No. No. No." in response.content.decode()
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.PENDING
