"""What a campaign's rules refuse, in words meant for the member."""

from __future__ import annotations


class CampaignError(Exception):
    """An action the campaign's rules do not allow; the message is meant for the member."""


class AlreadyPledgedError(CampaignError):
    pass


class PledgingClosedError(CampaignError):
    pass


NOT_TAKING = "This campaign is not taking pledges now."
CLOSED = "This stage is not taking pledges: its deadline has passed."
ALREADY = "You have already pledged at this stage."
