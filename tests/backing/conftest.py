"""Personas for the backing tests: a campaign group to back, built through the real services."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rankandfile.groups.models import Group
from tests.personas import MakeGroup

MakeCampaignGroup = Callable[..., Group]


@pytest.fixture
def make_campaign_group(make_group: MakeGroup) -> MakeCampaignGroup:
    def make(**kwargs: object) -> Group:
        return make_group(kind="campaign", **kwargs)

    return make
