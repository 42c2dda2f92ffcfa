"""The kinds of message the platform sends, each with one template set and one class.

A kind's class is fixed here, not chosen by the caller, so campaign content can never be queued
as a service message and slip past campaign-email consent. Each kind has three templates under
``notifications/email/<kind>/``: ``subject.txt``, ``body.txt`` and ``body.html``.
"""

from __future__ import annotations

from datetime import timedelta

from rankandfile.notifications.models import MessageClass

KINDS: dict[str, MessageClass] = {
    "email_verification": MessageClass.SERVICE,
    "ballot_opened": MessageClass.SERVICE,
    "ballot_reminder": MessageClass.SERVICE,
    "ballot_results": MessageClass.SERVICE,
    "pledge_triggered": MessageClass.SERVICE,
    "pledge_released": MessageClass.SERVICE,
    "campaign_won": MessageClass.SERVICE,
    "proposal_threshold_reached": MessageClass.SERVICE,
    "proposal_amendment": MessageClass.SERVICE,
    "comment_reply": MessageClass.SERVICE,
    "nomination_received": MessageClass.SERVICE,
    "nomination_seconded": MessageClass.SERVICE,
    "affiliation_applied": MessageClass.SERVICE,
    "affiliation_decided": MessageClass.SERVICE,
    "event_place_given": MessageClass.SERVICE,
    "event_reminder_day": MessageClass.SERVICE,
    "event_reminder_hour": MessageClass.SERVICE,
    "event_changed": MessageClass.SERVICE,
    "event_cancelled": MessageClass.SERVICE,
    "introduction_requested": MessageClass.SERVICE,
    "introduction_accepted": MessageClass.SERVICE,
    "introduction_declined": MessageClass.SERVICE,
    "introduction_withdrawn": MessageClass.SERVICE,
    "data_export_ready": MessageClass.SERVICE,
    "campaign_update": MessageClass.CAMPAIGN,
    "digest": MessageClass.CAMPAIGN,
}


# Kinds sent to an email address rather than to a member's own address: django-allauth's account
# email (verification, password reset, "no account with this address"...) and group
# invitations, whose address may not (yet) belong to any member. All are service messages.
ADDRESSED_KINDS: frozenset[str] = frozenset({"account_email", "group_invitation"})

# What the operators' outbox page calls each kind (KINDS and ADDRESSED_KINDS, every one): the
# template name stays the value in URLs and in the database.
KIND_LABELS: dict[str, str] = {
    "email_verification": "Email address check",
    "ballot_opened": "Ballot opened",
    "ballot_reminder": "Ballot reminder",
    "ballot_results": "Ballot results",
    "pledge_triggered": "Pledge triggered (action pack)",
    "pledge_released": "Pledge released",
    "campaign_won": "Campaign won",
    "proposal_threshold_reached": "Proposal reached its supporters",
    "proposal_amendment": "Amendment to a member's proposal",
    "comment_reply": "Reply to a member's comment",
    "nomination_received": "Nomination received",
    "nomination_seconded": "Nomination seconded",
    "affiliation_applied": "A group's application to join the network",
    "affiliation_decided": "Decision on a group's affiliation",
    "event_place_given": "Event place given from the waiting list",
    "event_reminder_day": "Event reminder (a day before)",
    "event_reminder_hour": "Event reminder (an hour before)",
    "event_changed": "Event changed time or place",
    "event_cancelled": "Event cancelled",
    "introduction_requested": "Introduction asked for",
    "introduction_accepted": "Introduction accepted",
    "introduction_declined": "Introduction declined",
    "introduction_withdrawn": "Introduction withdrawn",
    "data_export_ready": "Data download ready",
    "campaign_update": "Campaign update",
    "digest": "Campaign digest",
    "account_email": "Account email (sign-in, password)",
    "group_invitation": "Group invitation",
}


# Service messages a member may turn off (``notifications.KindOptOut``), with what the
# preferences page calls each. The others are sent whatever the member's choices.
OPTIONAL_KINDS: dict[str, str] = {
    "proposal_threshold_reached": "When a proposal of mine has enough supporters",
    "proposal_amendment": "When someone proposes an amendment to a proposal of mine",
    "comment_reply": "When someone replies to a comment of mine",
    "event_reminder_day": "A reminder a day before an event I have a place at",
    "event_reminder_hour": "A reminder an hour before an event I have a place at",
}


def kind_label(template: str) -> str:
    """The plain name of a message kind; the template name itself for one not labelled."""
    return KIND_LABELS.get(template, template)


# Kinds whose every recipient is a pledger or on a ballot's roll (a verdict ballot's roll is
# exactly the stage's pledgers): that a member was sent one is who pledged, or who may vote.
# Likewise the events' kinds: every recipient has a place at the event (who came to what).
# Once such a message is sent (or skipped for good) its row forgets the member
# (``sending._record_sent``); only a message still to be sent or retried needs to know whom.
FORGOTTEN_ONCE_SENT: frozenset[str] = frozenset(
    {
        "pledge_triggered",
        "pledge_released",
        "campaign_won",
        "ballot_opened",
        "ballot_reminder",
        "ballot_results",
        "event_place_given",
        "event_reminder_day",
        "event_reminder_hour",
        "event_changed",
        "event_cancelled",
    }
)

# How long such a message may wait to be delivered: as long as the one-time link it carries
# can work (allauth's confirmation links and Django's reset tokens last 3 days by default; a
# group invitation 14). After that its content, link and address included, is cleared
# (``sending.messages_addressed_expire``) and the member asks again.
ADDRESSED_KIND_LIFETIME: dict[str, timedelta] = {
    "account_email": timedelta(days=3),
    "group_invitation": timedelta(days=14),
}


class UnknownMessageKindError(ValueError):
    """A template name that is not a known kind, or a kind queued under the wrong class."""


def kind_check(*, template: str, message_class: MessageClass) -> None:
    expected = KINDS.get(template)
    if expected is None:
        raise UnknownMessageKindError(f"No message kind called {template!r}.")
    if expected != message_class:
        raise UnknownMessageKindError(
            f"{template!r} is a {expected.label.lower()} message, "
            f"not {message_class.label.lower()}."
        )


def addressed_kind_check(*, template: str) -> None:
    if template not in ADDRESSED_KINDS:
        raise UnknownMessageKindError(f"No message kind to an address called {template!r}.")
