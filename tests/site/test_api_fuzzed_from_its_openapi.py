"""The JSON API, fuzzed from its own OpenAPI description with schemathesis against the live
test server: every operation, a few examples each, as anonymous, as a member of another group
and as a member of a hidden group (each with a read-and-write API token).

Each answer must not be a 5xx and must conform to the schema. A hidden group holds a proposal,
a comment, an amendment, a members-only event, a members-only resource, a conversation, a slate
and a nomination, each carrying a marker; every operation is also called with those objects' ids
in its path, and no 2xx answer to anonymous or the outsider may contain the marker. The member
must see it somewhere, so the check is not vacuous.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.ballots.nominations import nomination_create, nomination_period_create
from rankandfile.events.services import EventDetails, event_create
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.services import group_join
from rankandfile.opinions.services import conversation_create
from rankandfile.proposals.comments import comment_create
from rankandfile.proposals.services import amendment_propose, proposal_draft_create, proposal_open
from rankandfile.proposals.slates import slate_apply, slate_create
from rankandfile.resources.services import ResourceDraft, resource_create, resource_moderate
from tests.personas import MakeGroup, MakeMember

MARKER = "Hushhush7q"  # in every private object's title or text; nothing else says it
EXAMPLES = 3  # per operation and caller: about 500 requests for the whole API
CHECKS = [not_a_server_error, response_schema_conformance]


def _private_world(group: Group, organiser: User, member: User) -> dict[str, object]:
    """The hidden group's objects, by the path parameter names the API uses."""
    draft = proposal_draft_create(
        proposer=member, group=group, title=f"Homes {MARKER}", text=f"Build. {MARKER}"
    )
    proposal = proposal_open(proposal=draft, proposer=member)
    comment = comment_create(proposal=proposal, author=member, text=f"Agreed. {MARKER}")
    amendment = amendment_propose(
        proposal=proposal, author=member, proposed_text=f"Build more. {MARKER}"
    )
    starts = timezone.now() + timedelta(days=2)
    event = event_create(
        organiser=organiser,
        group=group,
        details=EventDetails(
            title=f"Meeting {MARKER}",
            description=MARKER,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            in_person=True,
            district="LS6",
            venue=f"The hall {MARKER}",
            online=False,
            meeting_url="",
            capacity=20,
            visibility="members",
        ),
    )
    resource = resource_create(
        author=member,
        draft=ResourceDraft(
            kind="article",
            title=f"Notes {MARKER}",
            body=f"Notes. {MARKER}",
            group=group,
            audience="members",
        ),
    )
    resource_moderate(resource=resource, moderator=organiser, approve=True)
    conversation = conversation_create(
        organiser=organiser, group=group, question=f"Strike? {MARKER}", seed_statements=[MARKER]
    )
    slate = slate_create(
        organiser=organiser,
        group=group,
        title=f"Slate {MARKER}",
        election="the executive",
        places=2,
        applications_close_at=timezone.now() + timedelta(days=1),
    )
    slate_apply(slate=slate, member=member, statement=f"Vote for me. {MARKER}")
    period = nomination_period_create(
        organiser=organiser,
        group=group,
        post=f"Secretary {MARKER}",
        closes_at=timezone.now() + timedelta(days=7),
    )
    nomination = nomination_create(period=period, nominator=organiser, nominee=member)
    return {
        "group_slug": group.slug,
        "slug": group.slug,
        "proposal_id": proposal.pk,
        "comment_id": comment.pk,
        "amendment_id": amendment.pk,
        "event_id": event.pk,
        "resource_id": resource.pk,
        "conversation_id": conversation.pk,
        "slate_id": slate.pk,
        "period_id": period.pk,
        "nomination_id": nomination.pk,
    }


def _token(member: User) -> dict[str, str]:
    _, token = api_token_create(member=member, name="fuzz", scope=TokenScope.READ_WRITE)
    return {"Authorization": f"Bearer {token}"}


def _fuzz(
    cases: st.SearchStrategy[Any], *, base_url: str, headers: dict[str, str], session: Any
) -> list[str]:
    """Call ``EXAMPLES`` cases, each checked against the schema; the paths whose 2xx answer
    held the marker."""
    seen: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def call(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, session=session)
        case.validate_response(response, checks=CHECKS, headers=headers)
        if 200 <= response.status_code < 300 and MARKER in response.text:
            seen.append(case.formatted_path)

    call()
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_fuzzed_requests_without_5xx_off_schema_or_private_objects(
    live_server: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility="hidden", organiser=organiser)
    member = make_member(mfa=True)
    Membership.objects.create(group=group, member=member)
    outsider = make_member(mfa=True)
    group_join(group=make_group(), member=outsider)
    ids = _private_world(group, organiser, member)
    # The member last: their writes come after the others have tried the private objects.
    callers: dict[str, dict[str, str]] = {
        "anonymous": {},
        "outsider": _token(outsider),
        "member": _token(member),
    }

    base_url = live_server.url
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    leaks: list[str] = []
    seen_by_member: list[str] = []
    session = requests.Session()

    for caller, headers in callers.items():
        for operation in operations:
            names = {p.name for p in operation.path_parameters}
            private = {name: ids[name] for name in names if name in ids}
            strategies = [operation.as_strategy()]
            if names and names <= private.keys():
                strategies.append(operation.as_strategy(path_parameters=private))
            seen = _fuzz(st.one_of(strategies), base_url=base_url, headers=headers, session=session)
            (seen_by_member if caller == "member" else leaks).extend(
                f"{caller}: {operation.method.upper()} {path}" for path in seen
            )

    assert leaks == [], "private objects answered to the wrong person"
    assert seen_by_member, "the member should read their own group's objects"
