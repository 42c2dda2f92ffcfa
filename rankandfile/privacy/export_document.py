"""The document of "Download my data" (``privacy.export``): everything the platform keeps about
a member, read into one JSON-ready dict by ``member_data``.

``EXPORTED`` names every field it reads and the section it goes to;
tests/privacy/test_download_my_data_holds_every_personal_field.py walks every model against it.
The document holds every personal field of the member, decrypted, and their own side of
everything they took part in. Never another member's name, email, district or id (it holds no
database ids at all), never a secret (password hash, token digests), and pledges and ballots
only as "you pledged to ..." and "you voted in ...": no receipt, no choice, no amount.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.utils import timezone

from rankandfile.accounts.models import ApiToken, Consent, User
from rankandfile.audit.models import AuditEntry
from rankandfile.ballots.models import (
    Ballot,
    Nomination,
    NominationPeriod,
    RollEntry,
    Seconding,
)
from rankandfile.campaigns.models import Backing, Pledge, Vouch
from rankandfile.events.models import CalendarFeed, Event, Rsvp, SessionChoice
from rankandfile.groups.models import Affiliation, Group, Invitation, JoinRequest, Membership
from rankandfile.introductions.models import Introduction, IntroductionContact, IntroductionMatch
from rankandfile.notifications.kinds import kind_label
from rankandfile.notifications.models import (
    KindOptOut,
    MemberImport,
    Message,
    Preference,
)
from rankandfile.opinions.models import Conversation, Participant, Statement, Vote
from rankandfile.opinions.services import member_key
from rankandfile.proposals.models import (
    Amendment,
    AmendmentSupport,
    Comment,
    CommentReport,
    Proposal,
    Slate,
    SlateApplication,
    SlateGroup,
    Support,
)
from rankandfile.resources.models import HelpfulMark, Resource

# Every field of the project's models that holds a member's personal data and is read into the
# document, with the section of the document it goes to. A foreign key to the member stands for
# their rows of that model. The test walks every model against this map and its own table of
# what is left out, and why.
EXPORTED: dict[str, str] = {
    "accounts.User.email": "profile",
    "accounts.User.display_name": "profile",
    "accounts.User.postcode_district": "profile",
    "accounts.User.date_joined": "profile",
    "accounts.User.last_login": "profile",
    "accounts.User.is_active": "profile",
    "accounts.User.is_staff": "profile",
    "accounts.User.is_superuser": "profile",
    "accounts.User.is_network_coordinator": "profile",
    "accounts.Consent.member": "consents",
    "accounts.ApiToken.member": "api_tokens",
    "groups.Membership.member": "memberships",
    "groups.JoinRequest.member": "join_requests",
    "groups.JoinRequest.decided_by": "join_requests_you_decided",
    "groups.Invitation.invited_by": "invitations_you_sent",
    "groups.Affiliation.applied_by": "affiliations_you_applied_for",
    "groups.Affiliation.decided_by": "affiliations_you_decided",
    "groups.Affiliation.left_by": "affiliations_you_ended",
    "audit.AuditEntry.actor": "your_actions_in_the_audit_log",
    "ballots.Ballot.created_by": "ballots_you_set_up",
    "ballots.RollEntry.member": "ballots",
    "ballots.NominationPeriod.created_by": "nomination_periods_you_opened",
    "ballots.Nomination.nominee": "nominations_of_you",
    "ballots.Nomination.nominated_by": "nominations_you_made",
    "ballots.Seconding.seconder": "nominations_you_seconded",
    "notifications.Message.recipient": "emails_to_you",
    "notifications.Preference.member": "email_preferences",
    "notifications.KindOptOut.member": "emails_you_turned_off",
    "notifications.MemberImport.organiser": "member_imports_you_started",
    "campaigns.Pledge.member": "pledges",
    "campaigns.Vouch.member": "vouched_for_you",
    "campaigns.Vouch.vouched_by": "you_vouched_for",
    "campaigns.Backing.member": "backings",
    "opinions.Conversation.created_by": "conversations_you_started",
    "opinions.Statement.author": "conversation_statements",
    "opinions.Participant.member_key": "conversation_votes",
    "proposals.Proposal.proposer": "proposals",
    "proposals.Amendment.author": "amendments",
    "proposals.Support.member": "proposals_you_supported",
    "proposals.AmendmentSupport.member": "amendments_you_supported",
    "proposals.Comment.author": "comments",
    "proposals.CommentReport.reporter": "comments_you_reported",
    "proposals.Slate.created_by": "slates_you_set_up",
    "proposals.SlateGroup.agreed_by": "slates_you_agreed_to",
    "proposals.SlateApplication.member": "slate_applications",
    "events.Event.created_by": "events_you_set_up",
    "events.Rsvp.member": "event_replies",
    "events.SessionChoice.member": "event_session_choices",
    "events.CalendarFeed.member": "calendar_feed",
    "resources.Resource.author": "resources_you_contributed",
    "resources.Resource.moderated_by": "resources_you_moderated",
    "resources.HelpfulMark.member": "resources_you_found_helpful",
    "introductions.IntroductionContact.member": "introduction_contact",
    "introductions.IntroductionContact.phone": "introduction_contact",
    "introductions.Introduction.asker": "introductions_you_asked_for",
    "introductions.Introduction.district": "introductions_you_asked_for",
    "introductions.Introduction.message": "introductions_you_asked_for",
    "introductions.IntroductionMatch.member": "introductions_you_were_asked",
}


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _group_name(group: Group | None) -> str:
    return group.name if group else "the whole network"


# The document -------------------------------------------------------------------------------


def _profile(member: User) -> dict[str, Any]:
    return {
        "email": member.email,
        "display_name": member.display_name,
        "postcode_district": member.postcode_district,
        "interests": sorted(member.interests.values_list("name", flat=True)),
        "skills": sorted(member.skills.values_list("name", flat=True)),
        "joined": _when(member.date_joined),
        "last_login": _when(member.last_login),
        "account_active": member.is_active,
        "staff": member.is_staff,
        "administrator": member.is_superuser,
        "network_coordinator": member.is_network_coordinator,
    }


def _account(member: User) -> dict[str, Any]:
    """What the log-in library keeps (allauth's tables): addresses, second factors, sessions;
    never a secret."""
    return {
        "email_addresses": [
            {"email": row.email, "verified": row.verified, "primary": row.primary}
            for row in EmailAddress.objects.filter(user=member).order_by("email")
        ],
        "second_factors": [
            {
                "type": row.get_type_display(),
                "added": _when(row.created_at),
                "last_used": _when(row.last_used_at),
            }
            for row in Authenticator.objects.filter(user=member).order_by("created_at")
        ],
        "sessions": [
            {
                "address": row.ip,
                "browser": row.user_agent,
                "started": _when(row.created_at),
                "last_seen": _when(row.last_seen_at),
            }
            for row in UserSession.objects.filter(user=member).order_by("created_at")
        ],
    }


def _groups_part(member: User) -> dict[str, Any]:
    return {
        "memberships": [
            {
                "group": row.group.name,
                "role": row.get_role_display(),
                "listed": row.listed,
                "joined": _when(row.joined_at),
            }
            for row in Membership.objects.filter(member=member).select_related("group")
        ],
        "join_requests": [
            {
                "group": row.group.name,
                "status": row.get_status_display(),
                "asked": _when(row.created_at),
                "decided": _when(row.decided_at),
            }
            for row in JoinRequest.objects.filter(member=member).select_related("group")
        ],
        # The organiser's side: which group and when, never who asked.
        "join_requests_you_decided": [
            {"group": row.group.name, "status": row.get_status_display()}
            | {"decided": _when(row.decided_at)}
            for row in JoinRequest.objects.filter(decided_by=member).select_related("group")
        ],
        "invitations_you_sent": [
            {"group": row.group.name, "sent": _when(row.created_at)}
            for row in Invitation.objects.filter(invited_by=member).select_related("group")
        ],
        "affiliations_you_applied_for": [
            {"group": row.group.name, "applied": _when(row.applied_at)}
            for row in Affiliation.objects.filter(applied_by=member).select_related("group")
        ],
        "affiliations_you_decided": [
            {"group": row.group.name, "status": row.get_status_display()}
            | {"decided": _when(row.decided_at)}
            for row in Affiliation.objects.filter(decided_by=member).select_related("group")
        ],
        "affiliations_you_ended": [
            {"group": row.group.name, "left": _when(row.left_at)}
            for row in Affiliation.objects.filter(left_by=member).select_related("group")
        ],
    }


def _consents_part(member: User) -> dict[str, Any]:
    return {
        # Each time a consent was given, with the text version and when it was withdrawn.
        "consents": [
            {
                "purpose": row.get_purpose_display(),
                "text_version": row.text_version,
                "lawful_basis": row.lawful_basis,
                "given": _when(row.given_at),
                "withdrawn": _when(row.withdrawn_at),
            }
            for row in Consent.objects.filter(member=member).order_by("given_at", "pk")
        ],
        "api_tokens": [
            {
                "name": row.name,
                "scope": row.get_scope_display(),
                "made": _when(row.created_at),
                "expires": _when(row.expires_at),
                "last_used": _when(row.last_used_at),
            }
            for row in ApiToken.objects.filter(member=member).order_by("created_at")
        ],
        "email_preferences": [
            {"group": row.group.name, "frequency": row.get_frequency_display()}
            for row in Preference.objects.filter(member=member).select_related("group")
        ],
        "emails_you_turned_off": [
            kind_label(row.kind) for row in KindOptOut.objects.filter(member=member)
        ],
        # What was sent, never its content: a message's context may name other members.
        "emails_to_you": [
            {
                "kind": kind_label(row.template),
                "queued": _when(row.created_at),
                "status": row.get_status_display(),
                "sent": _when(row.sent_at),
            }
            for row in Message.objects.filter(recipient=member).order_by("created_at")
        ],
        "member_imports_you_started": [
            {"group": row.group.name, "uploaded": _when(row.created_at)}
            for row in MemberImport.objects.filter(organiser=member).select_related("group")
        ],
        # What the member did as an organiser or coordinator, without its target (which may be
        # another member).
        "your_actions_in_the_audit_log": [
            {"action": row.action, "when": _when(row.created_at)}
            for row in AuditEntry.objects.filter(actor=member).order_by("created_at")
        ],
    }


def _ballots_part(member: User) -> dict[str, Any]:
    def _ballot(ballot: Ballot) -> str:
        return f"“{ballot.title}” ({_group_name(ballot.group)})"

    return {
        # Who voted is the roll; what they voted is in the ballot box, linked to nobody.
        "ballots": [
            f"You voted in {_ballot(row.ballot)}"
            if row.has_voted
            else f"You could vote in {_ballot(row.ballot)}"
            for row in RollEntry.objects.filter(member=member).select_related("ballot__group")
        ],
        "ballots_you_set_up": [
            {"ballot": row.title, "group": _group_name(row.group), "made": _when(row.created_at)}
            for row in Ballot.objects.filter(created_by=member).select_related("group")
        ],
        "nomination_periods_you_opened": [
            {"post": row.post, "group": row.group.name, "opened": _when(row.created_at)}
            for row in NominationPeriod.objects.filter(created_by=member).select_related("group")
        ],
        # The nominee's side: the post and their statement, never who nominated them.
        "nominations_of_you": [
            {
                "post": row.period.post,
                "group": row.period.group.name,
                "statement": row.statement,
                "nominated": _when(row.created_at),
                "accepted": _when(row.accepted_at),
                "withdrawn": _when(row.withdrawn_at),
            }
            for row in Nomination.objects.filter(nominee=member).select_related("period__group")
        ],
        # The nominator's and seconder's side: the post, never whom.
        "nominations_you_made": [
            {"post": row.period.post, "group": row.period.group.name}
            | {"when": _when(row.created_at)}
            for row in Nomination.objects.filter(nominated_by=member).select_related(
                "period__group"
            )
        ],
        "nominations_you_seconded": [
            {"post": row.nomination.period.post, "when": _when(row.created_at)}
            for row in Seconding.objects.filter(seconder=member).select_related(
                "nomination__period"
            )
        ],
    }


def _campaigns_part(member: User) -> dict[str, Any]:
    return {
        # A pledge's options, amount and area stay out: only that the member pledged.
        "pledges": [
            f"You pledged to “{row.stage.campaign.title}” (stage {row.stage.number})"
            for row in Pledge.objects.filter(member=member).select_related("stage__campaign")
        ],
        "backings": [
            {
                "campaign": row.campaign.title if row.campaign else None,
                "backing_group": row.backing_group.name if row.backing_group else None,
                "target_group": row.target_group.name if row.target_group else None,
                "name_shown": row.show_name,
                "when": _when(row.created_at),
            }
            for row in Backing.objects.filter(member=member).select_related(
                "campaign", "backing_group", "target_group"
            )
        ],
        # Vouching: the group, never the other member.
        "vouched_for_you": [
            f"A member vouched for you in {row.group.name}"
            for row in Vouch.objects.filter(member=member).select_related("group")
        ],
        "you_vouched_for": [
            f"You vouched for a member of {row.group.name}"
            for row in Vouch.objects.filter(vouched_by=member).select_related("group")
        ],
    }


def _conversations_part(member: User) -> dict[str, Any]:
    keys = {
        member_key(conversation_id=pk, member_id=member.pk): pk
        for pk in Conversation.objects.values_list("pk", flat=True)
    }
    participants = Participant.objects.filter(member_key__in=keys)
    return {
        "conversations_you_started": [
            {"question": row.question, "group": _group_name(row.group)}
            | {"started": _when(row.created_at)}
            for row in Conversation.objects.filter(created_by=member).select_related("group")
        ],
        "conversation_statements": [
            {
                "conversation": row.conversation.question,
                "number": row.number,
                "text": row.text,
                "status": row.get_status_display(),
                "written": _when(row.created_at),
            }
            for row in Statement.objects.filter(author=member).select_related("conversation")
        ],
        # While a conversation is open its votes are kept under a key only the member's id
        # opens; once closed they are an anonymous matrix and no longer anyone's.
        "conversation_votes": [
            {
                "conversation": row.statement.conversation.question,
                "statement": row.statement.text,
                "vote": row.get_value_display(),
            }
            for row in Vote.objects.filter(participant__in=participants).select_related(
                "statement__conversation"
            )
        ],
    }


def _proposals_part(member: User) -> dict[str, Any]:
    return {
        "proposals": [
            {
                "title": row.title,
                "text": row.text,
                "group": row.group.name,
                "state": row.get_state_display(),
                "written": _when(row.created_at),
            }
            for row in Proposal.objects.filter(proposer=member).select_related("group")
        ],
        "amendments": [
            {
                "proposal": row.proposal.title,
                "number": row.number,
                "proposed_text": row.proposed_text,
                "reason": row.reason,
                "state": row.get_state_display(),
                "written": _when(row.created_at),
            }
            for row in Amendment.objects.filter(author=member).select_related("proposal")
        ],
        "proposals_you_supported": [
            {"proposal": row.proposal.title, "when": _when(row.created_at)}
            for row in Support.objects.filter(member=member).select_related("proposal")
        ],
        "amendments_you_supported": [
            {"proposal": row.amendment.proposal.title, "amendment": row.amendment.number}
            for row in AmendmentSupport.objects.filter(member=member).select_related(
                "amendment__proposal"
            )
        ],
        "comments": [
            {
                "proposal": row.proposal.title,
                "text": row.text,
                "deleted": row.deleted,
                "written": _when(row.created_at),
                "edited": _when(row.edited_at),
            }
            for row in Comment.objects.filter(author=member).select_related("proposal")
        ],
        # Which proposal's discussion, never the comment (another member wrote it).
        "comments_you_reported": [
            {"proposal": row.comment.proposal.title, "when": _when(row.created_at)}
            for row in CommentReport.objects.filter(reporter=member).select_related(
                "comment__proposal"
            )
        ],
        "slates_you_set_up": [
            {"slate": row.title, "group": row.group.name, "made": _when(row.created_at)}
            for row in Slate.objects.filter(created_by=member).select_related("group")
        ],
        "slates_you_agreed_to": [
            {"slate": row.slate.title, "group": row.group.name, "agreed": _when(row.agreed_at)}
            for row in SlateGroup.objects.filter(agreed_by=member).select_related("slate", "group")
        ],
        "slate_applications": [
            {
                "slate": row.slate.title,
                "name": row.name,
                "statement": row.statement,
                "withdrawn": row.withdrawn,
                "applied": _when(row.created_at),
            }
            for row in SlateApplication.objects.filter(member=member).select_related("slate")
        ],
    }


def _events_part(member: User) -> dict[str, Any]:
    return {
        "events_you_set_up": [
            {"event": row.title, "group": _group_name(row.group), "starts": _when(row.starts_at)}
            for row in Event.objects.filter(created_by=member).select_related("group")
        ],
        "event_replies": [
            {
                "event": row.event.title,
                "starts": _when(row.event.starts_at),
                "status": row.get_status_display(),
                "replied": _when(row.created_at),
            }
            for row in Rsvp.objects.filter(member=member).select_related("event")
        ],
        "event_session_choices": [
            {"event": row.session.event.title, "session": row.session.title}
            for row in SessionChoice.objects.filter(member=member).select_related("session__event")
        ],
        "calendar_feed": [
            {"made": _when(row.created_at)} for row in CalendarFeed.objects.filter(member=member)
        ],
    }


def _resources_part(member: User) -> dict[str, Any]:
    return {
        "resources_you_contributed": [
            {
                "title": row.title,
                "kind": row.get_kind_display(),
                "summary": row.summary,
                "body": row.body,
                "link": row.url,
                "file_name": row.file_name,
                "state": row.get_state_display(),
                "added": _when(row.created_at),
            }
            for row in Resource.objects.filter(author=member)
        ],
        "resources_you_moderated": [
            {"title": row.title, "state": row.get_state_display()}
            | {"when": _when(row.moderated_at)}
            for row in Resource.objects.filter(moderated_by=member)
        ],
        "resources_you_found_helpful": [
            {"title": row.resource.title, "when": _when(row.created_at)}
            for row in HelpfulMark.objects.filter(member=member).select_related("resource")
        ],
    }


def _introductions_part(member: User) -> dict[str, Any]:
    return {
        "introduction_contact": [
            {"method": row.get_method_display(), "phone": row.phone}
            for row in IntroductionContact.objects.filter(member=member)
        ],
        "introductions_you_asked_for": [
            {
                "kind": row.get_kind_display(),
                "group": row.group.name if row.group else None,
                "skill": row.skill.name if row.skill else None,
                "district": row.district,
                "radius_km": row.radius_km,
                "message": row.message,
                "status": row.get_status_display(),
                "asked": _when(row.created_at),
                "decided": _when(row.decided_at),
                "withdrawn": _when(row.withdrawn_at),
            }
            for row in Introduction.objects.filter(asker=member).select_related("group", "skill")
        ],
        # The member's own side: what they were asked about and their answer, never who asked,
        # from where, or with what message.
        "introductions_you_were_asked": [
            {
                "kind": row.introduction.get_kind_display(),
                "answer": row.get_answer_display(),
                "answered": _when(row.answered_at),
            }
            for row in IntroductionMatch.objects.filter(member=member).select_related(
                "introduction"
            )
        ],
    }


def member_data(member: User, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything about the member, as one JSON-ready document (see the module docstring)."""
    now = now or timezone.now()
    return {
        "about": {
            "site": settings.SITE_NAME,
            "made": _when(now),
            "what_this_is": (
                "Everything we keep about you. Your pledges and ballots are listed only as "
                "that you took part: what you chose is kept linked to nobody, so we cannot "
                "give it to you, or to anyone else."
            ),
        },
        "profile": _profile(member),
        "account": _account(member),
        **_consents_part(member),
        **_groups_part(member),
        **_ballots_part(member),
        **_campaigns_part(member),
        **_conversations_part(member),
        **_proposals_part(member),
        **_events_part(member),
        **_resources_part(member),
        **_introductions_part(member),
    }
