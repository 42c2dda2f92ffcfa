"""Campaigns in the JSON API: public aggregates, and a member's own pledge."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.campaigns import errors, selectors, services
from rankandfile.campaigns.backing_api import BackingCountsOut, backing_counts_out
from rankandfile.campaigns.models import Stage

router = Router(tags=["campaigns"])


class OptionOut(Schema):
    key: str
    label: str
    pledges: int | None


class StageOut(Schema):
    number: int
    state: str
    deadline: str
    threshold_people: int | None
    threshold_amount_pence: int | None
    pledges: int | None
    figures_as_of: str | None
    verified_pledges: int | None
    amount_pence: int | None
    options: list[OptionOut]


class CampaignOut(Schema):
    slug: str
    title: str
    state: str
    stages: list[StageOut]
    backing: BackingCountsOut


class PledgeIn(Schema):
    options: list[str]
    amount_pence: int | None = None


class PledgeOut(Schema):
    stage: int
    options: list[str]
    amount_pence: int | None
    verified: bool


class ErrorOut(Schema):
    detail: str


@router.get("/{slug}", response=CampaignOut)
def campaign_read(request: HttpRequest, slug: str) -> CampaignOut:
    """A campaign with each stage's figures: the people count live, the rest as released at
    ``figures_as_of`` (in batches, with noise). Withheld figures are null."""
    campaign = selectors.campaign_get_public(slug=slug)
    stages = []
    for stage in campaign.stages.order_by("number").prefetch_related("options"):
        figures = selectors.stage_published(stage)
        stages.append(
            StageOut(
                number=figures.number,
                state=figures.state,
                deadline=figures.deadline,
                threshold_people=figures.threshold_people,
                threshold_amount_pence=figures.threshold_amount_pence,
                pledges=figures.people,
                figures_as_of=figures.as_of.isoformat() if figures.as_of else None,
                verified_pledges=figures.verified,
                amount_pence=figures.amount_pence,
                options=[
                    OptionOut(key=o.key, label=o.label, pledges=o.pledges) for o in figures.options
                ],
            )
        )
    return CampaignOut(
        slug=campaign.slug,
        title=campaign.title,
        state=campaign.state,
        stages=stages,
        backing=backing_counts_out(campaign),
    )


def _open_stage(slug: str) -> Stage:
    stage = selectors.stage_taking_pledges_by_slug(slug)
    if stage is None:
        selectors.campaign_get_public(slug=slug)  # 404 for no such campaign
        raise HttpError(409, errors.NOT_TAKING)
    return stage


@router.post(
    "/{slug}/pledges",
    response={201: PledgeOut, 400: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=[PersonalToken(write=True), django_auth],
)
def pledge_create(request: HttpRequest, slug: str, payload: PledgeIn) -> Status[object]:
    """Pledge to options of the open stage. 409 if you have already pledged at it, or it is
    not taking pledges; 429 after too many pledge changes in a short while."""
    stage = _open_stage(slug)
    member = api_member(request)
    if rate_limited(request, action="pledge", member=member):
        return Status(429, ErrorOut(detail=RATE_LIMITED))
    try:
        pledge = services.pledge_create(
            stage=stage,
            member=member,
            option_keys=payload.options,
            amount_pence=payload.amount_pence,
        )
    except (errors.AlreadyPledgedError, errors.PledgingClosedError) as error:
        return Status(409, ErrorOut(detail=str(error)))
    except errors.CampaignError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(
        201,
        PledgeOut(
            stage=stage.number,
            options=sorted(set(payload.options)),  # each one checked by the service
            amount_pence=pledge.amount_pence,
            verified=pledge.verified,
        ),
    )


@router.get("/{slug}/pledges/mine", response={200: PledgeOut, 404: ErrorOut})
def pledge_mine(request: HttpRequest, slug: str) -> Status[object]:
    campaign = selectors.campaign_get_public(slug=slug)
    stage = selectors.stage_current(campaign)
    pledge = selectors.pledge_of(stage=stage, member=api_member(request)) if stage else None
    if stage is None or pledge is None:
        return Status(404, ErrorOut(detail="You have not pledged at the current stage."))
    return Status(
        200,
        PledgeOut(
            stage=stage.number,
            options=sorted(o.key for o in pledge.options.all()),
            amount_pence=pledge.amount_pence,
            verified=pledge.verified,
        ),
    )


@router.delete(
    "/{slug}/pledges/mine",
    response={204: None, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=[PersonalToken(write=True), django_auth],
)
def pledge_withdraw(request: HttpRequest, slug: str) -> Status[object]:
    campaign = selectors.campaign_get_public(slug=slug)
    stage = selectors.stage_current(campaign)
    if stage is None:
        return Status(404, ErrorOut(detail="This campaign has no stages."))
    member = api_member(request)
    if rate_limited(request, action="pledge", member=member):
        return Status(429, ErrorOut(detail=RATE_LIMITED))
    try:
        services.pledge_withdraw(stage=stage, member=member)
    except errors.PledgingClosedError as error:
        return Status(409, ErrorOut(detail=str(error)))
    except errors.CampaignError as error:
        return Status(404, ErrorOut(detail=str(error)))
    return Status(204, None)
