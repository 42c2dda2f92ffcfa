"""A member who has voted on 7 statements opens the opinion map and finds their group and their
mark, on a phone and on a desktop, with no serious axe violation."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.groups.services import group_join
from rankandfile.opinions.services import (
    conversation_create,
    map_recompute,
    participant_of,
    vote_cast,
)
from rankandfile.opinions.svg import group_name
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.conversations.map_helpers import SEEDS_WITH_COMMON_GROUND, camp_vote, camps_vote
from tests.personas import MakeGroup, MakeMember

WIDTHS = (390, 1280)


@pytest.mark.django_db(transaction=True)
def test_a_member_sees_the_map_and_where_they_sit(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    conversation = conversation_create(
        organiser=organiser,
        group=group,
        question="Stay and fight, or leave and build?",
        seed_statements=SEEDS_WITH_COMMON_GROUND,
    )

    def joined() -> Any:
        member = make_member()
        group_join(group=group, member=member)
        return member

    camps_vote(conversation, lambda _: joined(), each=6)
    member = make_member(email="member@example.org")
    group_join(group=group, member=member)
    for statement in conversation.statements.order_by("number")[:7]:
        vote_cast(
            conversation=conversation,
            statement=statement,
            member=member,
            value=camp_vote(statement.number, 1),
        )
    result = map_recompute(conversation_id=conversation.pk)
    participant = participant_of(conversation=conversation, member=member)
    assert participant is not None
    where = group_name(result.data["groups"][str(participant.number)])

    log_in(page, "member@example.org")
    page.goto(f"/conversations/{conversation.pk}/map/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.get_by_role("heading", name="Opinion map", level=1).wait_for()
        assert page.get_by_text(f"You are in {where}.").is_visible()
        opinion_map = page.get_by_role("img", name="Opinion map")
        assert opinion_map.is_visible()
        you = page.locator("svg.opinion-map g.highlight")
        assert page.locator("svg.opinion-map [data-participant]").count() == 0  # no numbers
        assert you.locator("text").text_content() == "You"
        box = opinion_map.bounding_box()
        assert box is not None and box["width"] <= width
        assert page.get_by_role("table", name="What sets each group apart").is_visible()
        assert page.get_by_role("rowheader", name=f"{where} You").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert serious_violations(page) == [], width
