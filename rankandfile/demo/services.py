"""Load the demo network: around 40 groups of every kind and 500 members, so that a newcomer
sees a living site. The demo logins (README) exist only in a database loaded this way."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import IssueTag, Skill, User
from rankandfile.accounts.services import consent_give, consents_give_in_bulk
from rankandfile.campaigns.models import Backing, Campaign, Pledge, PledgeOption
from rankandfile.campaigns.services import (
    OptionInput,
    StageInput,
    campaign_create,
    campaign_open,
    stage_figures_release,
)
from rankandfile.campaigns.tallies import tallies_rebuild
from rankandfile.demo.data import (
    CAMPAIGN_DEMANDS,
    CONVERSATION_CAMPS,
    CONVERSATION_DESCRIPTION,
    CONVERSATION_QUESTION,
    CONVERSATION_STATEMENTS,
    DISTRICTS,
    FIRST_NAMES,
    GROUPS,
    PSEUDONYM_WORDS,
)
from rankandfile.demo.gatherings import demo_gatherings_load
from rankandfile.demo.resources import demo_resources_load
from rankandfile.groups.affiliations import (
    affiliation_application_record,
    affiliation_decision_record,
)
from rankandfile.groups.models import Group, GroupDistrict, Membership, Role
from rankandfile.introductions.services import introduction_ask_group, introduction_ask_skill
from rankandfile.lib.postcodes import postcode_area
from rankandfile.lib.slugs import slug_new
from rankandfile.opinions.services import conversation_create, map_recompute, vote_cast

DEMO_DOMAIN = "demo.rankandfile.invalid"
DEMO_PASSWORD = "rank-and-file-demo"
DEMO_MEMBER_EMAIL = f"member@{DEMO_DOMAIN}"
DEMO_ORGANISER_EMAIL = f"organiser@{DEMO_DOMAIN}"
# Base32, so any authenticator app accepts it; documented in the README for the demo only.
DEMO_ORGANISER_TOTP_SECRET = "RANKANDFILEDEMOORGANISERTOTP2345"
# A network coordinator, who decides on groups' applications to join the network.
DEMO_COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
DEMO_COORDINATOR_TOTP_SECRET = "RANKANDFILEDEMOCOORDINATORTOTP23"
# Groups of the demo affiliated to the network (the first few that are not hidden), besides the
# demo organiser's group, whose application waits for the coordinator.
AFFILIATED_COUNT = 6
# The share of memberships whose member chose to be on the group's member list.
LISTED_SHARE = 0.3
MEMBER_COUNT = 500
# Supporters who joined the network to back the demo campaign (members, in no group).
SUPPORTER_COUNT = 3000


class DemoNotEmptyError(Exception):
    pass


@dataclass(frozen=True)
class DemoSummary:
    members: int
    groups: int
    memberships: int
    organisers: int
    pledges: int
    conversation_votes: int
    resources: int = 0


def _demo_user(
    rng: random.Random, local_part: str, n: int, *, password: str, now: datetime
) -> User:
    """An unsaved demo member with a made-up name and a district drawn from the demo's list."""
    return User(
        email=f"{local_part}@{DEMO_DOMAIN}",
        display_name=_display_name(rng, n),
        postcode_district=rng.choice(DISTRICTS)[0],
        password=password,
        date_joined=now,
    )


def _display_name(rng: random.Random, n: int) -> str:
    style = rng.random()
    if style < 0.4:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice('ABCDEFGHJKLMNOPRSTW')}."
    if style < 0.7:
        return f"{rng.choice(PSEUDONYM_WORDS)} {rng.choice(PSEUDONYM_WORDS)}"
    return f"{rng.choice(PSEUDONYM_WORDS)}{rng.randint(1, 99)}"


@transaction.atomic
def demo_network_load(*, seed: int = 2026) -> DemoSummary:
    """Fill an empty database with the demo network. Refuses if any member exists."""
    if User.objects.exists():
        raise DemoNotEmptyError(
            "The database already has members; the demo loads only into an empty one."
        )
    rng = random.Random(seed)
    now = timezone.now()
    password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
    issues = list(IssueTag.objects.all())
    skills = list(Skill.objects.all())

    members = [
        _demo_user(rng, f"member{n:03d}", n, password=password, now=now)
        for n in range(1, MEMBER_COUNT - 2)
    ]
    members.insert(
        0,
        User(
            email=DEMO_MEMBER_EMAIL,
            display_name="Demo Member",
            postcode_district="LS6",
            password=password,
            date_joined=now,
        ),
    )
    members.insert(
        1,
        User(
            email=DEMO_ORGANISER_EMAIL,
            display_name="Demo Organiser",
            postcode_district="LS6",
            password=password,
            date_joined=now,
        ),
    )
    members.insert(
        2,
        User(
            email=DEMO_COORDINATOR_EMAIL,
            display_name="Demo Coordinator",
            postcode_district="LS2",
            password=password,
            date_joined=now,
            is_network_coordinator=True,
        ),
    )
    User.objects.bulk_create(members)
    members = list(User.objects.order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members
    )

    consenting: dict[ConsentPurpose, list[User]] = {purpose: [] for purpose in ConsentPurpose}
    interest_links = []
    skill_links = []
    for member in members:
        for purpose in ConsentPurpose:
            if purpose == ConsentPurpose.MEMBERSHIP or rng.random() < 0.5:
                consenting[purpose].append(member)
        for tag in rng.sample(issues, rng.randint(1, 4)):
            interest_links.append(User.interests.through(user_id=member.pk, issuetag_id=tag.pk))
        for skill in rng.sample(skills, rng.randint(0, 3)):
            skill_links.append(User.skills.through(user_id=member.pk, skill_id=skill.pk))
    for purpose, consenters in consenting.items():
        consents_give_in_bulk(members=consenters, purpose=purpose, now=now)
    User.interests.through.objects.bulk_create(interest_links)
    User.skills.through.objects.bulk_create(skill_links)

    tags_by_slug = {tag.slug: tag for tag in issues}
    groups: list[Group] = []
    for name, kind, visibility, districts, issue_slugs in GROUPS:
        place = next((p for d, p in DISTRICTS if d in districts), "across the UK")
        group = Group.objects.create(
            name=name,
            # As groups.services names them: a hidden group never holds the plain slug.
            slug=slug_new(
                name, fallback="group", taken=lambda _: False, private=visibility == "hidden"
            ),
            kind=kind,
            visibility=visibility,
            description=(
                f"{name} brings members together in {place}. We meet monthly, "
                "campaign on the issues below and take decisions by members' ballot."
            ),
        )
        group.issues.set([tags_by_slug[s] for s in issue_slugs])
        GroupDistrict.objects.bulk_create(
            GroupDistrict.covering(group=group, district=d) for d in districts
        )
        groups.append(group)

    demo_member, demo_organiser, demo_coordinator = members[0], members[1], members[2]
    others = members[3:]
    memberships: dict[tuple[int, int], Membership] = {}

    def add(group: Group, member: User, role: str = Role.MEMBER) -> None:
        listed = rng.random() < LISTED_SHARE
        memberships.setdefault(
            (group.pk, member.pk),
            Membership(group=group, member=member, role=role, listed=listed),
        )

    # Every group has one or two organisers, each with TOTP set up.
    organisers: set[int] = set()
    for i, group in enumerate(groups):
        if i == 0:
            add(group, demo_organiser, Role.ORGANISER)
            organisers.add(demo_organiser.pk)
        for organiser in rng.sample(others, rng.randint(1, 2)):
            add(group, organiser, Role.ORGANISER)
            organisers.add(organiser.pk)
    # Members join groups near them, and a few national ones.
    by_district: dict[str, list[Group]] = {}
    for group, (_, _, _, districts, _) in zip(groups, GROUPS, strict=True):
        for d in districts:
            by_district.setdefault(d, []).append(group)
    national = [g for g in groups if g.kind == "national" and g.visibility != "hidden"]
    for member in others:
        local = by_district.get(member.postcode_district, [])
        for group in rng.sample(local, min(len(local), rng.randint(0, 2))):
            add(group, member)
        for group in rng.sample(groups, rng.randint(0, 2)):
            add(group, member)
        if rng.random() < 0.3:
            add(rng.choice(national), member)
    add(groups[0], demo_member)
    # The first group's conversation: members of the group, in camps (the demo member has not
    # voted yet, so they can try it).
    voters = rng.sample(others, sum(CONVERSATION_CAMPS))
    for voter in voters:
        add(groups[0], voter)
    Membership.objects.bulk_create(memberships.values())

    for member in members:
        if member.pk not in organisers:
            continue
        secret = (
            DEMO_ORGANISER_TOTP_SECRET if member.pk == demo_organiser.pk else generate_totp_secret()
        )
        TOTP.activate(member, secret)
    TOTP.activate(demo_coordinator, DEMO_COORDINATOR_TOTP_SECRET)
    _demo_affiliations(groups=groups, organiser=demo_organiser, coordinator=demo_coordinator)

    pledges = _demo_campaign(
        rng=rng, group=groups[0], organiser=demo_organiser, members=others, password=password
    )
    conversation_votes = _demo_conversation(
        rng=rng, group=groups[0], organiser=demo_organiser, voters=voters
    )
    _demo_backings(rng=rng, groups=groups, members=others, now=now)
    # The demo organiser also coordinates the network: they make the founding conference.
    demo_organiser.is_network_coordinator = True
    demo_organiser.save(update_fields=["is_network_coordinator"])
    demo_gatherings_load(
        rng=rng, coordinator=demo_organiser, groups=groups, members=others, now=now
    )
    resources = demo_resources_load(
        rng=rng,
        coordinator=demo_organiser,
        organiser=demo_organiser,
        group=groups[0],
        members=others,
    )
    _demo_introductions(
        group=groups[0], member=demo_member, organiser=demo_organiser, askers=others[10:12]
    )
    return DemoSummary(
        resources=resources,
        members=User.objects.count(),
        groups=len(groups),
        memberships=len(memberships),
        organisers=len(organisers),
        pledges=pledges,
        conversation_votes=conversation_votes,
    )


def _demo_affiliations(*, groups: list[Group], organiser: User, coordinator: User) -> None:
    """The demo organiser's group has applied to join the network and waits for the demo
    coordinator; a few other groups are affiliated already. Through the groups' own services
    (audited), without telling anyone by email."""
    affiliation_application_record(
        group=groups[0],
        organiser=organiser,
        statement="We are a local branch organising tenants and workers in north Leeds.",
    )
    visible = [g for g in groups[1:] if g.visibility != "hidden"]
    for group in visible[:AFFILIATED_COUNT]:
        group_organiser = group.memberships.filter(role=Role.ORGANISER).first()
        assert group_organiser is not None
        affiliation = affiliation_application_record(group=group, organiser=group_organiser.member)
        affiliation_decision_record(affiliation=affiliation, coordinator=coordinator, approve=True)


def _demo_backings(
    *, rng: random.Random, groups: list[Group], members: list[User], now: datetime
) -> None:
    """A few groups and some members back the live campaign and the zero-hours campaign
    group, about a third of the members with their name shown (written in bulk, as
    ``campaigns.backings`` would have left them)."""
    campaign = Campaign.objects.get()
    zero_hours = next(g for g in groups if g.name == "End Zero Hours Coalition")
    others = [g for g in groups if g.kind != "campaign" and g.pk != campaign.group_id]
    named = [g for g in others if g.visibility != "hidden"]
    hidden = next(g for g in others if g.visibility == "hidden")  # counted, never named
    rows = [
        Backing(campaign=campaign, backing_group=g, created_at=now) for g in [*named[:3], hidden]
    ]
    rows += [Backing(target_group=zero_hours, backing_group=g, created_at=now) for g in named[3:6]]
    for target in ({"campaign": campaign}, {"target_group": zero_hours}):
        for member in rng.sample(members, 40):
            rows.append(
                Backing(member=member, show_name=rng.random() < 0.35, created_at=now, **target)
            )
    Backing.objects.bulk_create(rows)


def _demo_introductions(*, group: Group, member: User, organiser: User, askers: list[User]) -> None:
    """Two requests waiting for an answer: one to the demo organiser's group, and one for a
    skill that the demo member offers nearby (they are the nearest who offer it)."""
    for person in (member, organiser, *askers):
        consent_give(member=person, purpose=ConsentPurpose.INTRODUCTIONS)
    introduction_ask_group(
        asker=askers[0],
        group=group,
        message="I have just moved to the area and would like to help the branch.",
    )
    skill = Skill.objects.filter(slug="canvassing").first() or Skill.objects.first()
    if skill is None:  # the staff removed every skill
        return
    member.skills.add(skill)
    introduction_ask_skill(
        asker=askers[1],
        skill=skill,
        district=member.postcode_district,
        radius_km=5,
        message="We are canvassing our street about the rent rise next Saturday. Can you help?",
    )


def _demo_conversation(
    *, rng: random.Random, group: Group, organiser: User, voters: list[User]
) -> int:
    """An open conversation of ``group``: the voters, in camps, vote through ``vote_cast`` as
    members would (now and then skipping or passing on a statement), and its map is drawn as
    the background recompute would draw it."""
    conversation = conversation_create(
        organiser=organiser,
        group=group,
        question=CONVERSATION_QUESTION,
        description=CONVERSATION_DESCRIPTION,
        seed_statements=[text for text, _ in CONVERSATION_STATEMENTS],
    )
    statements = list(conversation.statements.order_by("number"))
    camps = [camp for camp, size in enumerate(CONVERSATION_CAMPS) for _ in range(size)]
    rng.shuffle(camps)
    votes = 0
    for voter, camp in zip(voters, camps, strict=True):
        for statement, (_, agree_chances) in zip(statements, CONVERSATION_STATEMENTS, strict=True):
            if rng.random() < 0.1:
                continue
            agree = agree_chances[camp]
            draw = rng.random()
            value = 1 if draw < agree else -1 if draw < agree + (1 - agree) * 0.85 else 0
            vote_cast(conversation=conversation, statement=statement, member=voter, value=value)
            votes += 1
    map_recompute(conversation_id=conversation.pk)
    return votes


def _demo_campaign(
    *, rng: random.Random, group: Group, organiser: User, members: list[User], password: str
) -> int:
    """A live two-stage campaign with eleven demands, a six-week deadline, a few thousand pledges.

    Pledges are bulk-loaded and the tallies computed from them in one pass, as
    `pledge_create` would have left them.
    """
    now = timezone.now()
    created = User.objects.bulk_create(
        _demo_user(rng, f"supporter{n:04d}", n, password=password, now=now)
        for n in range(1, SUPPORTER_COUNT + 1)
    )
    # Emails are encrypted at rest: looked up by their digests (`email__in`), not by prefix.
    supporters = list(User.objects.filter(email__in=[m.email for m in created]).order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in supporters
    )
    consents_give_in_bulk(members=supporters, purpose=ConsentPurpose.MEMBERSHIP, now=now)
    campaign = campaign_create(
        organiser=organiser,
        group=group,
        title="Publish the report: members' ultimatum",
        target="the party's National Executive Committee",
        explanation=(
            "Leaving one by one holds little weight. Together we ask the NEC to publish the "
            "report and act on it. If our demands are not met by the deadline, we all withhold "
            "our subscriptions at once, and if that fails, we leave together. Nobody acts alone: "
            "if too few of us pledge, nobody acts."
        ),
        demands=CAMPAIGN_DEMANDS,
        stages=[
            StageInput(
                title="Withhold our subscriptions",
                deadline=now + timedelta(weeks=6),
                threshold_people=5000,
                threshold_amount_pence=500_000_00,
                options=[
                    OptionInput(key="stop-dues", label="Cancel my direct debit"),
                    OptionInput(
                        key="claim-back",
                        label="Claim back the subscriptions I paid since the report was written",
                        asks_amount=True,
                    ),
                ],
                action_instructions="Cancel your direct debit today and send the letter below.",
                letter_template=(
                    "Dear General Secretary,\n\nI, {display_name}, have cancelled my direct "
                    "debit and claim back {amount} in subscriptions, as our demands were not "
                    "met by the deadline.\n\nYours, {display_name}"
                ),
            ),
            StageInput(
                title="Leave together",
                deadline=now + timedelta(weeks=12),
                threshold_people=8000,
                options=[
                    OptionInput(key="resign", label="Resign my membership"),
                    OptionInput(key="join-new", label="Join a new democratic party"),
                ],
                action_instructions="Send your resignation letter on the same day as everyone.",
            ),
        ],
    )
    campaign_open(campaign=campaign, organiser=organiser)
    stage = campaign.stages.get(number=1)
    options = {o.key: o for o in PledgeOption.objects.filter(stage=stage)}
    pledgers = rng.sample(supporters, 2600) + rng.sample(members, 300)
    pledges = [
        Pledge(
            stage=stage,
            member=member,
            amount_pence=rng.choice([12_00, 48_00, 96_00, 150_00, 240_00]) if i % 3 else None,
            verified=rng.random() < 0.35,
            area=postcode_area(member.postcode_district),
        )
        for i, member in enumerate(pledgers)
    ]
    Pledge.objects.bulk_create(pledges, batch_size=1000)
    pledges = list(Pledge.objects.filter(stage=stage))
    links = []
    for pledge in pledges:
        chosen = ["claim-back", "stop-dues"] if pledge.amount_pence else ["stop-dues"]
        for key in chosen:
            links.append(
                Pledge.options.through(pledge_id=pledge.pk, pledgeoption_id=options[key].pk)
            )
    Pledge.options.through.objects.bulk_create(links, batch_size=2000)
    tallies_rebuild(stage)
    stage_figures_release(stage_id=stage.pk)  # the first published breakdown, as the clock would
    return len(pledges)
