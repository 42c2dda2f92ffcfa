"""Delete my account: the member's personal data is erased at once, in one transaction.

What goes, and how:

- the user row itself is deleted (no foreign key to it PROTECTs, so no tombstone is needed).
  Its cascade removes memberships, join requests, consents, API tokens, email addresses, MFA
  authenticators, allauth's session records, notification preferences and opt-outs, queued
  messages to them, pledges, vouches, backings, supports, nominations and secondings,
  introductions (both their asking and their matches), the calendar feed and contact details;
- introductions they answered stay with the asker, the answerer's link cleared; those they
  accepted are withdrawn first, and the asker told, as the contact shown goes with the account;
- RSVPs are cancelled first through the events service, so that a freed place goes to the
  waiting list (who are told), and session choices go with them;
- consents are first added to anonymous counts (``ErasedConsentCount``);
- every login session is ended (the session store, not only allauth's record of it);
- pledges: the running totals live in tally rows that are never recomputed from pledges, so
  deleting the pledge rows leaves every total as it was;
- ballot roll entries keep their place (``member`` becomes NULL: roll size and turnout are
  unchanged); ballot papers never named anyone;
- conversation votes are kept under their participant number, with the member key cleared, as a
  closed conversation keeps them: the matrix and its totals are unchanged;
- statements, proposals, amendments and comments stay, their author NULL ("a former member").
  If the member chooses, their comments are deleted (blanked in place, as a comment deletion
  is, so that replies keep their thread) and so are their statements nobody else has voted on
  (with the author's own vote for it). Statements others voted on, proposals and amendments
  stay: others voted on them, so deleting them would change the conversation's and the
  group's record;
- invitations sent to their address are deleted, and so are unsent messages to anyone whose
  context holds their address or display name (sent messages keep no context);
- slate applications not yet on a ballot are deleted; one whose candidate is already on a
  ballot keeps its name, as the ballot's choices do (see ``_slate_applications_delete``).

The audit log: entries they did keep their action but lose the actor (``actor`` becomes NULL).
Entries about them (``target_type="member"``) have their ``target_id`` replaced by ``"erased"``:
a member id that appears nowhere else would otherwise still say that this id did these things.
The erasure itself is audited with no member id at all.
"""

from __future__ import annotations

import json
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from rankandfile.accounts.models import Consent, User
from rankandfile.audit.models import AuditEntry
from rankandfile.audit.services import audit_record
from rankandfile.events.models import Rsvp
from rankandfile.events.services import rsvp_cancel
from rankandfile.groups.models import Group, Invitation, Membership, Role
from rankandfile.groups.selectors import invitation_email_digest
from rankandfile.introductions.services import introductions_close_for_erasure
from rankandfile.notifications.models import Message, MessageStatus
from rankandfile.opinions.models import Conversation, Participant, Statement, Vote
from rankandfile.opinions.services import member_key
from rankandfile.privacy.models import ErasedConsentCount
from rankandfile.proposals.models import Comment, SlateApplication


class LastOrganiserError(Exception):
    """The member is the only organiser of these groups: someone must take over first."""

    def __init__(self, groups: list[Group]) -> None:
        self.groups = groups
        names = ", ".join(group.name for group in groups)
        super().__init__(
            f"You are the only organiser of {names}. Make another member an organiser "
            "before you delete your account."
        )


def groups_needing_handover(member: User) -> list[Group]:
    """The groups of which the member is the only organiser."""
    theirs = Membership.objects.filter(member=member, role=Role.ORGANISER).values("group")
    return list(
        Group.objects.filter(pk__in=theirs)
        .annotate(
            organisers=Count("memberships", filter=Q(memberships__role=Role.ORGANISER)),
        )
        .filter(organisers=1)
        .order_by("name")
    )


def _consents_count(member: User) -> None:
    for consent in Consent.objects.filter(member=member):
        row, _ = ErasedConsentCount.objects.get_or_create(
            purpose=consent.purpose,
            text_version=consent.text_version,
            withdrawn=consent.withdrawn_at is not None,
        )
        ErasedConsentCount.objects.filter(pk=row.pk).update(count=F("count") + 1)


def _sessions_end(member: User) -> None:
    """End every login session of the member: those allauth recorded, and, where sessions are
    kept in the database, any it did not (a session made before it, or by a test client)."""
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    keys = set(UserSession.objects.filter(user=member).values_list("session_key", flat=True))
    if issubclass(store, DatabaseSessionStore):
        for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()):
            if session.get_decoded().get(SESSION_KEY) == str(member.pk):
                keys.add(session.session_key)
    for key in keys:
        store(session_key=key).delete()


def _own_keys(member: User) -> list[str]:
    return [
        member_key(conversation_id=pk, member_id=member.pk)
        for pk in Conversation.objects.values_list("pk", flat=True)
    ]


def _votes_unlink(member: User) -> None:
    Participant.objects.filter(member_key__in=_own_keys(member)).update(member_key=None)


def _contributions_delete(member: User) -> None:
    """Blank the member's comments, and delete their statements that nobody else voted on
    (writing a statement is the author's own vote for it, which goes with it)."""
    Comment.objects.filter(author=member).update(deleted=True, text="", author=None)
    others_voted = Vote.objects.exclude(participant__member_key__in=_own_keys(member))
    Statement.objects.filter(author=member).exclude(
        pk__in=others_voted.values("statement")
    ).delete()


def _addressed_to(member: User) -> None:
    """Invitations sent to the member's address, and unsent messages (to anyone) whose context
    holds their address or display name: an invitation to them, a request from them that an
    organiser has not yet been sent. Sent messages keep no context."""
    Invitation.objects.filter(email_digest=invitation_email_digest(member.email)).delete()
    emails = EmailAddress.objects.filter(user=member).values_list("email", flat=True)
    mentions = {member.email.lower(), *(email.lower() for email in emails)}
    if member.display_name:
        mentions.add(member.display_name.lower())
    unsent = Message.objects.exclude(
        status__in=[MessageStatus.SENT, MessageStatus.SKIPPED, MessageStatus.DIGESTED]
    ).exclude(context={})
    for message in unsent.only("pk", "context"):
        text = json.dumps(message.context, ensure_ascii=False).lower()
        if any(mention in text for mention in mentions):
            message.delete()


def _slate_applications_delete(member: User) -> None:
    """Applications to a slate keep the name they were made under, for the published slate;
    those not yet on a ballot go. A candidate already on a ballot stays on it: the ballot's
    choices and papers name them, and removing them would change the ballot."""
    SlateApplication.objects.filter(member=member, ballot_position__isnull=True).delete()


@transaction.atomic
def account_erase(*, member: User, delete_contributions: bool) -> None:
    """Erase the member's account and personal data. Refused (``LastOrganiserError``) while
    they are the only organiser of a group."""
    member = User.objects.select_for_update().get(pk=member.pk)
    handover = groups_needing_handover(member)
    if handover:
        raise LastOrganiserError(handover)
    now = timezone.now()
    for rsvp in Rsvp.objects.filter(member=member).select_related("event"):
        rsvp_cancel(event=rsvp.event, member=member, now=now)
    _consents_count(member)
    if delete_contributions:
        _contributions_delete(member)  # before the unlink: it tells the member's own votes
    _votes_unlink(member)
    introductions_close_for_erasure(member=member)
    _addressed_to(member)
    _slate_applications_delete(member)
    _sessions_end(member)
    AuditEntry.objects.filter(target_type="member", target_id=str(member.pk)).update(
        target_id="erased"
    )
    member.delete()
    audit_record(
        actor=None,
        action="account.erased",
        target_type="member",
        target_id="erased",
        details={"contributions_deleted": delete_contributions},
    )
