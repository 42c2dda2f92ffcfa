"""Every URL of the project answers a GET from each role with the status pinned here.

The table names every URL pattern of the project (the admin's and allauth's are theirs, walked
elsewhere), so a new page fails ``test_every_url_pattern_is_pinned`` until someone writes down
who may see it. A page that starts to fail (500) or to answer another role than before fails
the walk. POST-only routes are pinned too: a GET must not act.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.api import api
from rankandfile.ballots.nominations import nomination_create, nomination_period_create
from rankandfile.ballots.services import ballot_open
from rankandfile.campaigns.models import Campaign
from rankandfile.campaigns.services import campaign_create, campaign_open
from rankandfile.events.services import (
    EventDetails,
    SessionDetails,
    calendar_feed_reset,
    event_create,
    rsvp_create,
    session_create,
)
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.services import group_join
from rankandfile.notifications.imports import member_import_upload
from rankandfile.notifications.rendering import unsubscribe_token
from rankandfile.notifications.services import affiliation_apply, invitation_create
from rankandfile.opinions.services import conversation_create
from rankandfile.proposals.comments import comment_create
from rankandfile.proposals.services import amendment_propose, proposal_draft_create, proposal_open
from rankandfile.proposals.slates import slate_apply, slate_create
from rankandfile.resources.files import file_link_token
from rankandfile.resources.services import (
    ResourceDraft,
    collection_item_add,
    resource_create,
    resource_moderate,
)
from tests.ballots.ballot_helpers import ballot_make
from tests.personas import MakeGroup, MakeMember, login_with_second_factor, stage_inputs
from tests.resources.uploads import pdf_upload

ANON, OUTSIDER, MEMBER, ORGANISER = "anonymous", "outsider", "member", "organiser"
ADMIN, COORDINATOR = "admin", "coordinator"
# The network coordinator is last: rows written for the first five get theirs appended by
# tests/site/access_table.py.
ROLES = (ANON, OUTSIDER, MEMBER, ORGANISER, ADMIN, COORDINATOR)

# Libraries' URLs, not this project's: the admin (walked below, its index and every model's
# list, against ADMIN_PAGES; what its pages show: tests/campaigns/test_nobody_can_list_pledgers.py)
# and allauth's account pages.
NOT_OURS = ("admin", "allauth")


def _url_patterns(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    """``namespace:name`` of every URL pattern of the project, libraries' left out."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            if pattern.namespace in NOT_OURS or module.split(".")[0] in NOT_OURS:
                continue
            inner = pattern.namespace or namespace
            yield from _url_patterns(pattern.url_patterns, inner)
        else:
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


@dataclass
class World:
    group_slug: str
    campaign_slug: str
    ballot_id: int
    request_id: int
    member_id: int
    invitation: str
    unsubscribe: str
    conversation_id: int = 0
    statement_id: int = 0
    proposal_id: int = 0
    comment_id: int = 0
    amendment_id: int = 0
    slate_id: int = 0
    period_id: int = 0
    nomination_id: int = 0
    affiliation_id: int = 0
    event_id: int = 0
    session_id: int = 0
    feed_token: str = ""
    resource_id: int = 0
    item_id: int = 0
    file_token: str = ""
    import_id: int = 0

    def url(self, name: str) -> str:
        return reverse(name, kwargs=self._kwargs(name))

    def _kwargs(self, name: str) -> dict[str, object]:
        if name.startswith("api-v1:"):
            route = name.removeprefix("api-v1:")
            if route == "group_read":
                return {"slug": self.group_slug}
            if route.startswith(("campaign", "pledge")):
                return {"slug": self.campaign_slug}
            if route.startswith("group_backing"):
                return {"slug": self.group_slug}
            if route in {"ballot_read", "ballot_results", "ballot_vote"}:
                return {"ballot_id": self.ballot_id}
            if route.startswith("nomination"):
                return self._nominations(route)
            if route == "vote_cast":
                return {"conversation_id": self.conversation_id, "number": 0}
            if route.startswith("slate_") and route != "slate_list":
                return {"slate_id": self.slate_id}
            if route in {"event_read", "event_rsvp", "event_rsvp_cancel"}:
                return {"event_id": self.event_id}
            if route.startswith(("conversation_read", "statement", "vote", "map")):
                return {"conversation_id": self.conversation_id}
            if route.startswith("resource"):
                return {} if route == "resource_list" else {"resource_id": self.resource_id}
            return self._proposals_api(route)
        return {
            "groups:invitation_accept": {"token": self.invitation},
            "groups:import_preview": {"slug": self.group_slug, "import_id": self.import_id},
            "campaigns:new": {"group_slug": self.group_slug},
            "campaigns:vouch": {"group_slug": self.group_slug, "member_id": self.member_id},
            "campaigns:action_pack": {"slug": self.campaign_slug, "number": 1},
            "campaigns:demand_status": {"slug": self.campaign_slug, "position": 1},
            "notifications:unsubscribe": {"token": self.unsubscribe},
            "privacy:export_download": {"token": "not-a-download-link"},
            "coordinators:affiliation_decide": {"affiliation_id": self.affiliation_id},
            "opinions:moderate_statement": {
                "conversation_id": self.conversation_id,
                "statement_id": self.statement_id,
            },
        }.get(name) or self._by_app(name)

    def _proposals_api(self, route: str) -> dict[str, object]:
        if route in {"proposal_list", "proposal_create"}:
            return {"group_slug": self.group_slug}
        on_a_proposal = {"amendment_list", "amendment_create", "comment_list", "comment_create"}
        if route.startswith("proposal") or route in on_a_proposal:
            return {"proposal_id": self.proposal_id}
        if route.startswith("amendment"):
            return {"amendment_id": self.amendment_id}
        if route.startswith("comment"):
            return {"comment_id": self.comment_id}
        return {}

    def _by_app(self, name: str) -> dict[str, object]:
        app, _, route = name.partition(":")
        if app == "backing" and route != "list":
            return {"kind": "campaigns", "slug": self.campaign_slug}
        if app == "groups" and route not in {"list", "create", "map"}:
            return {"slug": self.group_slug}
        if app == "campaigns" and route != "list":
            return {"slug": self.campaign_slug}
        if app == "ballots" and route.startswith("nomination"):
            return self._nominations(route)
        if app == "ballots" and route not in {"list", "create"}:
            return {"ballot_id": self.ballot_id}
        if app == "opinions" and route not in {"list", "new"}:
            return {"conversation_id": self.conversation_id}
        if app == "proposals":
            return self._proposals(route)
        if app == "events":
            return self._events(route)
        if app == "resources":
            return self._resources(route)
        if app == "introductions" and route in {"ask_group", "group"}:
            return {"slug": self.group_slug}
        if app == "introductions" and route in {"answer", "withdraw"}:
            return {"introduction_id": 1}  # a GET goes to the member's page without reading it
        if app == "slates":
            if route in {"list", "new"}:
                return {"group_slug": self.group_slug}
            return {"slate_id": self.slate_id}
        return {}

    def _events(self, route: str) -> dict[str, object]:
        if route in {"list", "calendar", "feed_reset", "network_new"}:
            return {}
        if route == "new":
            return {"group_slug": self.group_slug}
        if route == "feed":
            return {"token": self.feed_token}
        if route.startswith("session_") and route != "session_new":
            return {"event_id": self.event_id, "session_id": self.session_id}
        return {"event_id": self.event_id}

    def _nominations(self, route: str) -> dict[str, object]:
        if route == "nominations_new":
            return {"group_slug": self.group_slug}
        if route in {"nominations", "nominations_close", "nomination_list", "nomination_create"}:
            return {"period_id": self.period_id}
        return {"period_id": self.period_id, "nomination_id": self.nomination_id}

    def _resources(self, route: str) -> dict[str, object]:
        if route in {"list", "new", "moderation"}:
            return {}
        return {
            "new_kind": {"kind": "article"},
            "file": {"token": self.file_token},
            "item": {"resource_id": self.resource_id, "item_id": self.item_id},
        }.get(route) or {"resource_id": self.resource_id}

    def _proposals(self, route: str) -> dict[str, object]:
        if route in {"list", "new", "reported", "settings"}:
            return {"group_slug": self.group_slug}
        if route.startswith("comment") and route != "comment_create":
            return {"comment_id": self.comment_id}
        if route.startswith("amendment"):
            return {"amendment_id": self.amendment_id}
        return {"proposal_id": self.proposal_id}


# Expected GET status of every URL pattern for each role: anonymous, a member of another group
# (outsider), a member of the group, its organiser (second factor used), an admin (staff and
# superuser, second factor used, in no group) and a network coordinator (second factor used, in
# no group). 302 for anonymous is "log in first"; 405 a POST-only route.
EXPECTED: dict[str, tuple[int, int, int, int, int, int]] = {
    #                              anonymous, outsider, member, organiser, admin, coordinator
    "accounts:api_token_create": (302, 302, 302, 302, 302, 302),
    "accounts:api_token_revoke": (302, 302, 302, 302, 302, 302),
    "accounts:consent_change": (302, 302, 302, 302, 302, 302),
    "accounts:consents": (302, 200, 200, 200, 200, 200),
    "accounts:profile": (302, 200, 200, 200, 200, 200),
    # The proposals API: a proposal in discussion, by the member (its group's only).
    "api-v1:amendment_create": (401, 404, 200, 200, 404, 404),  # its GET lists the amendments
    "api-v1:amendment_decide": (405, 405, 405, 405, 405, 405),
    "api-v1:amendment_list": (401, 404, 200, 200, 404, 404),
    "api-v1:amendment_support": (405, 405, 405, 405, 405, 405),
    "api-v1:amendment_unsupport": (405, 405, 405, 405, 405, 405),
    "api-v1:comment_create": (401, 404, 200, 200, 404, 404),  # its GET lists the comments
    "api-v1:comment_delete": (405, 405, 405, 405, 405, 405),
    "api-v1:comment_edit": (405, 405, 405, 405, 405, 405),
    "api-v1:comment_list": (401, 404, 200, 200, 404, 404),
    "api-v1:introduction_list": (401, 200, 200, 200, 200, 200),  # each member's own
    "api-v1:comment_report": (405, 405, 405, 405, 405, 405),
    "api-v1:proposal_create": (401, 404, 200, 200, 404, 404),  # its GET lists the proposals
    "api-v1:proposal_list": (401, 404, 200, 200, 404, 404),
    "api-v1:proposal_open": (405, 405, 405, 405, 405, 405),
    "api-v1:proposal_read": (401, 404, 200, 200, 404, 404),
    "api-v1:proposal_support": (405, 405, 405, 405, 405, 405),
    "api-v1:proposal_unsupport": (405, 405, 405, 405, 405, 405),
    "api-v1:proposal_update": (401, 404, 200, 200, 404, 404),  # its GET reads the proposal
    "api-v1:proposal_versions": (401, 404, 200, 200, 404, 404),
    "api-v1:api-root": (404, 404, 404, 404, 404, 404),
    "api-v1:ballot_list": (401, 200, 200, 200, 200, 200),
    "api-v1:ballot_read": (401, 200, 200, 200, 200, 200),
    "api-v1:ballot_results": (401, 404, 404, 404, 404, 404),
    "api-v1:ballot_vote": (405, 405, 405, 405, 405, 405),
    "api-v1:campaign_backing_create": (405, 405, 405, 405, 405, 405),
    "api-v1:campaign_backing_delete": (405, 405, 405, 405, 405, 405),
    "api-v1:campaign_read": (401, 200, 200, 200, 200, 200),
    "api-v1:conversation_list": (401, 200, 200, 200, 200, 200),
    "api-v1:conversation_read": (401, 200, 200, 200, 200, 200),
    "api-v1:group_backing_create": (405, 405, 405, 405, 405, 405),
    "api-v1:group_backing_delete": (405, 405, 405, 405, 405, 405),
    "api-v1:list_groups": (200, 200, 200, 200, 200, 200),  # the directory is public
    "api-v1:group_read": (200, 200, 200, 200, 200, 200),  # a listed group: public
    # The events API: a public event of the listed group; reading needs no token.
    "api-v1:event_list": (200, 200, 200, 200, 200, 200),
    "api-v1:event_read": (200, 200, 200, 200, 200, 200),
    "api-v1:event_rsvp": (405, 405, 405, 405, 405, 405),
    "api-v1:event_rsvp_cancel": (405, 405, 405, 405, 405, 405),
    "api-v1:nomination_accept": (405, 405, 405, 405, 405, 405),
    "api-v1:nomination_create": (405, 405, 405, 405, 405, 405),
    "api-v1:nomination_list": (401, 404, 200, 200, 404, 404),
    "api-v1:nomination_second": (405, 405, 405, 405, 405, 405),
    "api-v1:nomination_withdraw": (405, 405, 405, 405, 405, 405),
    "api-v1:map_read": (401, 403, 403, 404, 403, 403),  # organisers: no map computed yet
    "api-v1:openapi-json": (200, 200, 200, 200, 200, 200),
    "api-v1:pledge_create": (405, 405, 405, 405, 405, 405),
    "api-v1:pledge_mine": (401, 404, 404, 404, 404, 404),
    "api-v1:pledge_withdraw": (401, 404, 404, 404, 404, 404),
    "api-v1:slate_apply": (405, 405, 405, 405, 405, 405),
    "api-v1:slate_list": (401, 200, 200, 200, 200, 200),
    "api-v1:slate_read": (401, 404, 200, 200, 404, 404),
    "api-v1:slate_recommended": (401, 404, 404, 404, 404, 404),  # not published yet
    "api-v1:slate_withdraw": (405, 405, 405, 405, 405, 405),
    "api-v1:statement_list": (401, 200, 200, 200, 200, 200),
    "api-v1:statement_next": (401, 200, 200, 200, 200, 200),
    "api-v1:statement_submit": (401, 200, 200, 200, 200, 200),  # its GET lists the statements
    "api-v1:vote_cast": (405, 405, 405, 405, 405, 405),
    "api-v1:vote_list": (401, 200, 200, 200, 200, 200),
    "backing:by_group": (302, 200, 200, 200, 200, 200),
    "backing:list": (200, 200, 200, 200, 200, 200),
    "backing:member": (302, 302, 302, 302, 302, 302),  # POST-only: a GET goes to the campaign
    "backing:member_stop": (302, 302, 302, 302, 302, 302),
    "ballots:bundle": (404, 404, 404, 404, 404, 404),
    "ballots:close": (302, 302, 302, 302, 302, 302),
    "ballots:create": (302, 404, 404, 404, 200, 404),
    "ballots:delete": (302, 302, 302, 302, 302, 302),
    "ballots:detail": (200, 200, 200, 200, 200, 200),
    "ballots:list": (302, 200, 200, 200, 200, 200),
    "ballots:nomination_accept": (302, 404, 200, 404, 404, 404),  # the nominee only
    "ballots:nomination_second": (302, 302, 302, 302, 302, 302),
    "ballots:nomination_withdraw": (302, 302, 302, 302, 302, 302),
    "ballots:nominations": (302, 404, 200, 200, 404, 404),
    "ballots:nominations_close": (302, 302, 302, 302, 302, 302),
    "ballots:nominations_new": (302, 404, 404, 200, 404, 404),
    "ballots:open": (302, 302, 302, 302, 302, 302),
    "ballots:preview": (302, 404, 404, 200, 404, 404),
    "ballots:receipt": (200, 200, 200, 200, 200, 200),
    "ballots:results": (404, 404, 404, 404, 404, 404),
    "ballots:update": (302, 404, 404, 302, 404, 404),
    "ballots:vote": (302, 302, 200, 200, 302, 302),
    "ballots:voted": (302, 302, 302, 302, 302, 302),
    "campaigns:action_pack": (302, 404, 404, 404, 404, 404),
    "campaigns:counter": (200, 200, 200, 200, 200, 200),
    "campaigns:delete": (302, 302, 302, 302, 302, 302),
    "campaigns:demand_status": (302, 302, 302, 302, 302, 302),
    "campaigns:detail": (200, 200, 200, 200, 200, 200),
    "campaigns:edit": (302, 404, 404, 302, 404, 404),
    "campaigns:embed": (200, 200, 200, 200, 200, 200),
    "campaigns:list": (200, 200, 200, 200, 200, 200),
    "campaigns:manage": (302, 404, 404, 200, 404, 404),
    "campaigns:new": (302, 404, 404, 200, 404, 404),
    "campaigns:open": (302, 302, 302, 302, 302, 302),
    "campaigns:pledge": (302, 302, 302, 302, 302, 302),
    "campaigns:preview": (302, 404, 404, 302, 404, 404),
    "campaigns:totals": (200, 200, 200, 200, 200, 200),
    "campaigns:vouch": (302, 302, 302, 302, 302, 302),
    "campaigns:withdraw": (302, 302, 302, 302, 302, 302),
    # Network coordinators' pages: nobody here is a coordinator (they are walked in
    # tests/groups/test_affiliation_is_decided_by_coordinators_and_audited.py).
    "coordinators:affiliation_decide": (302, 403, 403, 403, 403, 200),
    "coordinators:affiliations": (302, 403, 403, 403, 403, 200),
    "groups:affiliation": (302, 404, 404, 200, 404, 404),
    "groups:affiliation_leave": (302, 302, 302, 302, 302, 302),
    # A public event of the listed group, with a session; the member has a place (and the
    # feed's secret address is theirs: whoever has it reads it, as a calendar app does).
    "events:calendar": (302, 200, 200, 200, 200, 200),
    "events:cancel": (302, 302, 302, 302, 302, 302),
    "events:detail": (200, 200, 200, 200, 200, 200),
    "events:edit": (302, 404, 404, 200, 404, 404),
    "events:feed": (200, 200, 200, 200, 200, 200),
    "events:feed_reset": (302, 302, 302, 302, 302, 302),
    "events:ics": (200, 200, 200, 200, 200, 200),
    "events:list": (200, 200, 200, 200, 200, 200),
    "events:manage": (302, 404, 404, 200, 404, 404),
    "events:network_new": (302, 403, 403, 403, 403, 200),  # network coordinators only
    "events:new": (302, 404, 404, 200, 404, 404),
    "events:rsvp": (302, 302, 302, 302, 302, 302),
    "events:rsvp_cancel": (302, 302, 302, 302, 302, 302),
    "events:session_choose": (302, 302, 302, 302, 302, 302),
    "events:session_leave": (302, 302, 302, 302, 302, 302),
    "events:session_new": (302, 404, 404, 200, 404, 404),
    "groups:create": (302, 200, 200, 200, 200, 200),
    "groups:decide_request": (302, 302, 302, 302, 302, 302),
    "groups:detail": (200, 200, 200, 200, 200, 200),
    "groups:edit": (302, 404, 404, 200, 404, 404),
    "groups:invitation_accept": (302, 403, 403, 403, 403, 403),
    "groups:import": (302, 404, 404, 200, 404, 404),
    "groups:import_preview": (302, 404, 404, 200, 404, 404),  # the organiser's own import
    "groups:invite": (302, 302, 302, 302, 302, 302),
    "groups:join": (302, 302, 302, 302, 302, 302),
    "groups:leave": (302, 302, 302, 302, 302, 302),
    "groups:list": (200, 200, 200, 200, 200, 200),
    "groups:listing": (302, 302, 302, 302, 302, 302),
    "groups:map": (200, 200, 200, 200, 200, 200),
    "groups:manage": (302, 404, 404, 200, 404, 404),
    "groups:member_export": (302, 404, 404, 200, 404, 404),
    "groups:member_role": (302, 302, 302, 302, 302, 302),
    "groups:members": (302, 403, 200, 200, 403, 403),  # its members only
    "groups:requests": (302, 404, 404, 200, 404, 404),
    "healthz": (200, 200, 200, 200, 200, 200),
    "home": (200, 200, 200, 200, 200, 200),
    "introductions:answer": (302, 302, 302, 302, 302, 302),
    "introductions:ask_group": (302, 200, 200, 200, 200, 200),
    "introductions:ask_skill": (302, 200, 200, 200, 200, 200),
    "introductions:contact": (302, 200, 200, 200, 200, 200),
    "introductions:group": (302, 404, 404, 200, 404, 404),  # the group's organisers only
    "introductions:mine": (302, 200, 200, 200, 200, 200),
    "introductions:withdraw": (302, 302, 302, 302, 302, 302),
    # The test client connects from 127.0.0.1, which METRICS_ALLOWED_ADDRESSES lets in; from
    # elsewhere it is a 404 (tests/site/test_metrics_only_to_configured_addresses.py).
    "metrics": (200, 200, 200, 200, 200, 200),
    "notifications:message_kinds": (302, 302, 302, 302, 302, 302),
    "notifications:outbox_status": (302, 302, 302, 302, 200, 302),
    "notifications:preferences": (302, 200, 200, 200, 200, 200),
    "notifications:unsubscribe": (200, 200, 200, 200, 200, 200),
    "opinions:close": (302, 302, 302, 302, 302, 302),
    "opinions:detail": (200, 200, 200, 200, 200, 200),
    "opinions:export": (404, 404, 404, 404, 404, 404),  # open: nobody, not even organisers
    "opinions:list": (200, 200, 200, 200, 200, 200),
    # Open, no votes yet: a member of the group is told to vote on 7 statements first, the
    # organiser that the map is being drawn.
    "opinions:map": (404, 404, 200, 200, 404, 404),
    "opinions:map_to_campaign": (302, 302, 302, 302, 302, 302),
    "opinions:map_to_proposal": (302, 302, 302, 302, 302, 302),
    "opinions:moderate": (302, 404, 404, 200, 404, 404),
    "opinions:moderate_statement": (302, 302, 302, 302, 302, 302),
    "opinions:new": (302, 404, 404, 404, 200, 404),
    "opinions:settings": (302, 404, 404, 200, 404, 404),
    "opinions:vote": (302, 302, 302, 302, 302, 302),
    "opinions:write": (302, 302, 302, 302, 302, 302),
    # A proposal in discussion, by the member, with the member's comment and an amendment.
    "privacy:notice": (200, 200, 200, 200, 200, 200),
    "proposals:amend": (302, 404, 200, 200, 404, 404),
    "proposals:amendment": (302, 404, 302, 302, 404, 404),
    "proposals:amendment_decide": (302, 302, 302, 302, 302, 302),
    "proposals:amendment_support": (302, 302, 302, 302, 302, 302),
    "proposals:comment": (302, 404, 302, 302, 404, 404),
    "proposals:comment_create": (302, 302, 302, 302, 302, 302),
    "proposals:comment_delete": (302, 302, 302, 302, 302, 302),
    "proposals:comment_edit": (302, 404, 200, 404, 404, 404),
    "proposals:comment_report": (302, 302, 302, 302, 302, 302),
    "proposals:detail": (302, 404, 200, 200, 404, 404),
    "proposals:edit": (302, 404, 302, 302, 404, 404),
    "proposals:list": (302, 404, 200, 200, 404, 404),
    "proposals:new": (302, 404, 200, 200, 404, 404),
    "proposals:open": (302, 302, 302, 302, 302, 302),
    "proposals:reported": (302, 404, 404, 200, 404, 404),
    "proposals:send_to_ballot": (302, 302, 302, 302, 302, 302),
    "proposals:settings": (302, 404, 404, 200, 404, 404),
    "proposals:support": (302, 302, 302, 302, 302, 302),
    # Delete my account: first a detour to confirm it is you (reauthentication; tests/privacy).
    "privacy:account_delete": (302, 302, 302, 302, 302, 302),
    "privacy:account_deleted": (200, 200, 200, 200, 200, 200),
    # Download my data, and the link it emails: the same detour first (tests/privacy).
    "privacy:data_download": (302, 302, 302, 302, 302, 302),
    "privacy:export_download": (302, 302, 302, 302, 302, 302),
    "readyz": (200, 200, 200, 200, 200, 200),
    # A file for the group's members, by the member, approved by the organiser and put in the
    # member's reading list; the download link was made for the member.
    "api-v1:resource_list": (200, 200, 200, 200, 200, 200),
    "api-v1:resource_read": (404, 404, 200, 200, 404, 404),
    "resources:collect": (302, 302, 302, 302, 302, 302),
    "resources:detail": (404, 404, 200, 200, 404, 404),
    "resources:file": (403, 403, 200, 403, 403, 403),
    "resources:helpful": (302, 302, 302, 302, 302, 302),
    "resources:item": (302, 302, 302, 302, 302, 302),
    "resources:list": (200, 200, 200, 200, 200, 200),
    "resources:moderate": (302, 302, 302, 302, 302, 302),
    "resources:moderation": (302, 404, 404, 200, 404, 200),  # and the network's
    "resources:new": (302, 200, 200, 200, 200, 200),
    "resources:new_kind": (302, 200, 200, 200, 200, 200),
    "slates:agree": (302, 302, 302, 302, 302, 302),
    "slates:apply": (302, 404, 200, 200, 404, 404),
    "slates:detail": (302, 404, 200, 200, 404, 404),
    "slates:embed": (404, 404, 404, 404, 404, 404),  # not published yet
    "slates:list": (302, 404, 200, 200, 404, 404),
    "slates:new": (302, 404, 404, 200, 404, 404),
    "slates:public": (404, 404, 404, 404, 404, 404),  # not published yet
    "slates:send_to_ballot": (302, 302, 302, 302, 302, 302),
    "slates:withdraw": (302, 302, 302, 302, 302, 302),
    "styleguide": (404, 404, 404, 404, 404, 404),  # DEBUG only
}


# Every admin page: anyone but an admin (staff, second factor used) is sent to log in.
ADMIN_PAGES = (302, 302, 302, 302, 200, 302)


def _admin_pages() -> list[str]:
    """The admin's index and every registered model's list."""
    return ["/admin/"] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def _world(make_member: MakeMember, make_group: MakeGroup) -> tuple[World, dict[str, Client]]:
    organiser = make_member(mfa=True)
    group = make_group(visibility="listed", organiser=organiser)
    campaign = campaign_create(
        organiser=organiser,
        group=group,
        title="Publish the report",
        target="the party's national executive",
        explanation="We ask the executive to publish the report and act on it.",
        demands=["Publish the report in full", "Act on its findings"],
        stages=stage_inputs(),
    )
    campaign = campaign_open(campaign=campaign, organiser=organiser)
    assert isinstance(campaign, Campaign)
    member = make_member(mfa=True)
    Membership.objects.create(group=group, member=member)
    outsider = make_member(mfa=True)
    group_join(group=make_group(), member=outsider)
    admin = make_member(mfa=True)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    coordinator = make_member(mfa=True)
    coordinator.is_network_coordinator = True
    coordinator.save(update_fields=["is_network_coordinator"])
    request = group_join(group=group, member=make_member()).join_request
    assert request is not None
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    conversation = conversation_create(
        organiser=organiser, group=group, question="Stay or go?", seed_statements=["Stay."]
    )
    world = World(
        group_slug=group.slug,
        campaign_slug=campaign.slug,
        ballot_id=ballot.pk,
        request_id=request.pk,
        member_id=member.pk,
        invitation=invitation_create(group=group, organiser=organiser, email="new@example.org"),
        unsubscribe=unsubscribe_token(member.pk),
        conversation_id=conversation.pk,
        statement_id=conversation.statements.get().pk,
        **_proposal_ids(group, member),
        slate_id=_slate_id(group, organiser, member),
        **_nomination_ids(group, organiser, member),
        affiliation_id=affiliation_apply(group=group, organiser=organiser).pk,
        **_event_ids(group, organiser, member),
        **_resource_ids(group, organiser, member),
        import_id=member_import_upload(
            group=group, organiser=organiser, data=b"email\nsomeone@example.org\n"
        ).pk,
    )
    clients = {role: Client() for role in ROLES}
    people = {OUTSIDER: outsider, MEMBER: member, ORGANISER: organiser, ADMIN: admin}
    for role, person in (people | {COORDINATOR: coordinator}).items():
        login_with_second_factor(clients[role], person)
    return world, clients


def _proposal_ids(group: Group, member: User) -> dict[str, int]:
    draft = proposal_draft_create(proposer=member, group=group, title="Homes", text="Build.")
    proposal = proposal_open(proposal=draft, proposer=member)
    comment = comment_create(proposal=proposal, author=member, text="Agreed.")
    amendment = amendment_propose(proposal=proposal, author=member, proposed_text="Build more.")
    return {"proposal_id": proposal.pk, "comment_id": comment.pk, "amendment_id": amendment.pk}


def _slate_id(group: Group, organiser: User, member: User) -> int:
    slate = slate_create(
        organiser=organiser,
        group=group,
        title="Left slate",
        election="the national executive",
        places=2,
        applications_close_at=timezone.now() + timedelta(days=1),
    )
    slate_apply(slate=slate, member=member, statement="Vote for me.")
    return slate.pk


def _nomination_ids(group: Group, organiser: User, member: User) -> dict[str, int]:
    period = nomination_period_create(
        organiser=organiser,
        group=group,
        post="Branch secretary",
        closes_at=timezone.now() + timedelta(days=7),
    )
    nomination = nomination_create(period=period, nominator=organiser, nominee=member)
    return {"period_id": period.pk, "nomination_id": nomination.pk}


def _event_ids(group: Group, organiser: User, member: User) -> dict[str, Any]:
    starts = timezone.now() + timedelta(days=2)
    event = event_create(
        organiser=organiser,
        group=group,
        details=EventDetails(
            title="Branch meeting",
            description="Plans.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            in_person=True,
            district="LS6",
            venue="The hall",
            online=False,
            meeting_url="",
            capacity=20,
        ),
    )
    session = session_create(
        organiser=organiser,
        event=event,
        details=SessionDetails(
            title="Talk",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            room="",
            meeting_url="",
            capacity=5,
        ),
    )
    rsvp_create(event=event, member=member)
    return {
        "event_id": event.pk,
        "session_id": session.pk,
        "feed_token": calendar_feed_reset(member=member),
    }


def _resource_ids(group: Group, organiser: User, member: User) -> dict[str, object]:
    draft = ResourceDraft(kind="file", title="Leaflet", group=group, audience="members")
    leaflet = resource_create(author=member, draft=draft, upload=pdf_upload())
    resource_moderate(resource=leaflet, moderator=organiser, approve=True)
    reading = resource_create(
        author=member, draft=ResourceDraft(kind="reading_list", title="Start here", group=group)
    )
    collection_item_add(collection=reading, resource=leaflet, member=member)
    return {
        "resource_id": leaflet.pk,
        "item_id": reading.items.get().pk,
        "file_token": file_link_token(resource_id=leaflet.pk, viewer_id=member.pk),
    }


def test_every_url_pattern_is_pinned() -> None:
    patterns = set(_url_patterns(get_resolver().url_patterns))
    assert "campaigns:detail" in patterns and "api-v1:campaign_read" in patterns
    assert patterns - EXPECTED.keys() == set(), "pin who may see these new pages"
    assert EXPECTED.keys() - patterns == set(), "these pages are gone: unpin them"


def test_every_api_operation_in_the_openapi_description_is_pinned() -> None:
    """Each operation (method and path) of /api/v1/openapi.json is on a pinned URL pattern; the
    walk pins its GET, and tests/site/test_api_fuzzed_from_its_openapi.py calls every method."""
    paths = api.get_openapi_schema()["paths"]
    operations = {(method, path) for path, item in paths.items() for method in item}
    assert len(operations) > 40
    unpinned = {
        (method, path)
        for method, path in operations
        if f"api-v1:{resolve(re.sub(r'{[^}]+}', '1', path)).url_name}" not in EXPECTED
    }
    assert unpinned == set(), "pin who may call these API operations"


@pytest.mark.django_db
def test_every_page_answers_each_role_as_pinned(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world, clients = _world(make_member, make_group)
    got = {
        name: tuple(clients[role].get(world.url(name)).status_code for role in ROLES)
        for name in EXPECTED
    }
    changed = {
        name: (got[name], EXPECTED[name]) for name in EXPECTED if got[name] != EXPECTED[name]
    }
    assert changed == {}, f"(got, pinned) per page, in the order {ROLES}"


@pytest.mark.django_db
def test_every_admin_page_opens_for_the_admin_alone(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    _, clients = _world(make_member, make_group)
    got = {
        url: tuple(clients[role].get(url).status_code for role in ROLES) for url in _admin_pages()
    }
    assert len(got) > 15
    assert {url: answers for url, answers in got.items() if answers != ADMIN_PAGES} == {}
