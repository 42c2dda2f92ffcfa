"""The campaign page's "Why" section: the organisers' explanation and the verdict paragraph after it
are one column of prose, at one measure (the second used to run wider than the first)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.personas import MakeCampaign, MakeMember


@pytest.mark.django_db
def test_the_explanation_and_the_verdict_paragraph_share_one_prose_block(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    client = Client()
    client.force_login(make_member())
    html = client.get(campaign.get_absolute_url()).content.decode()
    section = re.search(r'<section aria-labelledby="why-title">(.*?)</section>', html, re.S)
    assert section is not None
    after_heading = section.group(1).split("</h2>", 1)[1].strip()
    assert after_heading.startswith('<div class="prose">')
    assert after_heading.endswith("</div>")
    prose = after_heading.removeprefix('<div class="prose">').removesuffix("</div>")
    assert "<div" not in prose
    assert campaign.explanation.split("\n")[0][:30] in prose
    assert "the pledgers decide by secret ballot" in prose
