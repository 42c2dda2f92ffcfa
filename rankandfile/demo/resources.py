"""The demo network's resource hub: fifty resources of every kind (articles, links, videos,
small generated PDFs and images, reading lists and toolkits), most approved and marked helpful
by members, a few waiting in the moderation queue, so that a newcomer sees a living hub."""

from __future__ import annotations

import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from rankandfile.accounts.models import IssueTag, User
from rankandfile.demo.documents import pdf_one_page, png_square
from rankandfile.groups.models import Group
from rankandfile.resources.models import HelpfulMark, Resource
from rankandfile.resources.services import (
    ResourceDraft,
    collection_item_add,
    resource_create,
    resource_moderate,
)

# (title, summary, issue slugs)
ARTICLES = [
    (
        "How to run a branch meeting people come back to",
        "Start on time, share the chair, end with who does what.",
        ["party-democracy"],
    ),
    (
        "Writing a motion that passes",
        "Clear demands, a short preamble and a named body to act.",
        ["party-democracy"],
    ),
    (
        "Organising a rent strike: the first month",
        "Mapping the building, the first meeting, staying safe.",
        ["housing"],
    ),
    (
        "Your rights on a zero-hours contract",
        "Holiday pay, notice of shifts and who to ask for help.",
        ["zero-hours-contracts", "trade-union-rights"],
    ),
    (
        "Building a workplace union from nothing",
        "One conversation at a time: the organising conversation.",
        ["trade-union-rights", "low-pay"],
    ),
    (
        "Defending a local hospital ward",
        "How a campaign kept a maternity unit open.",
        ["health-service"],
    ),
    (
        "Making meetings accessible",
        "Step-free rooms, captions, quiet space and clear papers.",
        ["disability-rights"],
    ),
    (
        "Talking to neighbours about climate",
        "Start from bills and buses, not from doom.",
        ["climate", "transport"],
    ),
    (
        "Running a stall on a Saturday",
        "What to bring, what to say and how to follow up.",
        ["party-democracy"],
    ),
    (
        "Safer organising online",
        "Pseudonyms, two-factor authentication and what never to post.",
        ["party-democracy"],
    ),
    (
        "Supporting members facing immigration checks",
        "What a group can do and who to call.",
        ["migrants-rights", "anti-racism"],
    ),
    (
        "A short history of public ownership in Britain",
        "Water, rail and energy: what changed and why.",
        ["public-ownership"],
    ),
    ("Fighting cuts to school budgets", "Parents, staff and pupils together.", ["education"]),
    (
        "Claiming the benefits you are owed",
        "A plain guide to the forms, and where to get advice.",
        ["welfare", "low-pay"],
    ),
]
LINKS = [
    (
        "Citizens Advice: employment rights",
        "https://www.citizensadvice.org.uk/work/",
        ["trade-union-rights"],
    ),
    ("Shelter: help with housing", "https://england.shelter.org.uk/housing_advice", ["housing"]),
    ("ACAS: advice on workplace disputes", "https://www.acas.org.uk/", ["trade-union-rights"]),
    (
        "Disability Rights UK factsheets",
        "https://www.disabilityrightsuk.org/",
        ["disability-rights"],
    ),
    (
        "The Equality Act explained",
        "https://www.gov.uk/guidance/equality-act-2010-guidance",
        ["anti-racism", "womens-rights"],
    ),
    (
        "Electoral Reform Society on STV",
        "https://www.electoral-reform.org.uk/voting-systems/types-of-voting-system/single-transferable-vote/",
        ["party-democracy"],
    ),
    (
        "Trades Union Congress: join a union",
        "https://www.tuc.org.uk/join-union",
        ["trade-union-rights"],
    ),
    ("Child Poverty Action Group", "https://cpag.org.uk/", ["welfare"]),
    ("Living Wage Foundation", "https://www.livingwage.org.uk/", ["low-pay"]),
    ("Stonewall: rights at work", "https://www.stonewall.org.uk/", ["lgbt-rights"]),
]
VIDEOS = [
    (
        "The organising conversation, role-played",
        "https://video.example.org/watch/organising-conversation",
        ["trade-union-rights"],
    ),
    (
        "How STV counts your vote",
        "https://video.example.org/watch/how-stv-counts",
        ["party-democracy"],
    ),
    ("Tenants win repairs together", "https://video.example.org/watch/tenants-win", ["housing"]),
    ("Chairing a meeting well", "https://video.example.org/watch/chairing", ["party-democracy"]),
    (
        "Nurses on the picket line",
        "https://video.example.org/watch/nurses-picket",
        ["health-service"],
    ),
    (
        "Climate and jobs: a just transition",
        "https://video.example.org/watch/just-transition",
        ["climate"],
    ),
    (
        "Art for the movement: screen printing",
        "https://video.example.org/watch/screen-printing",
        ["arts-culture"],
    ),
    (
        "Knowing your rights at a protest",
        "https://video.example.org/watch/protest-rights",
        ["peace"],
    ),
]
PDFS = [
    (
        "Know your rights at work (leaflet)",
        ["trade-union-rights"],
        [
            "Your employer must pay at least the minimum wage.",
            "You have a right to rest breaks and paid holiday.",
            "Join a union: it is your right.",
        ],
    ),
    (
        "Rent strike checklist",
        ["housing"],
        [
            "Map every flat in the building.",
            "Hold the first meeting somewhere neutral.",
            "Keep the rent money safe in an account.",
        ],
    ),
    (
        "Model motion: publish the report",
        ["party-democracy"],
        [
            "This branch notes the leaked report.",
            "This branch calls for its full publication.",
            "This branch resolves to write to the NEC.",
        ],
    ),
    (
        "Meeting accessibility checklist",
        ["disability-rights"],
        [
            "Step-free access and an accessible toilet.",
            "Papers sent a week ahead, in large print on request.",
            "Breaks every hour.",
        ],
    ),
    (
        "Petition template: save our ward",
        ["health-service"],
        [
            "We the undersigned call on the trust",
            "to keep the ward open.",
            "Name, postcode district, signature.",
        ],
    ),
]
IMAGES = [
    ("Poster: join your union (red)", ["trade-union-rights"], (200, 30, 40)),
    ("Poster: homes for all (green)", ["housing"], (30, 140, 70)),
    ("Social media card: vote in the ballot", ["party-democracy"], (40, 60, 160)),
]
READING_LISTS = [
    ("Reading list: new to organising", "Start here: five pieces to read in order."),
    ("Reading list: party democracy", "Motions, meetings and how votes are counted."),
    ("Reading list: housing justice", "From your rights to a rent strike."),
    ("Reading list: health service campaigns", "Keeping services open and public."),
    ("Reading list: safer organising", "Protecting members and their data."),
]
TOOLKITS = [
    ("Toolkit: starting a local group", "Everything for the first three months, step by step."),
    ("Toolkit: a workplace campaign", "From the first conversation to a recognised union."),
    ("Toolkit: a tenants' union", "Leaflets, checklists and model letters."),
    ("Toolkit: running a members' ballot", "Nominations, hustings and the count."),
    ("Toolkit: a day of action", "Stalls, posters and the follow-up."),
]


def _draft(
    kind: str, title: str, summary: str, issues: list[IssueTag], **more: object
) -> ResourceDraft:
    return ResourceDraft(kind=kind, title=title, summary=summary, issues=issues, **more)  # type: ignore[arg-type]


def demo_resources_load(
    *, rng: random.Random, coordinator: User, organiser: User, group: Group, members: list[User]
) -> int:
    """The demo hub; ``coordinator`` approves the network's resources, ``organiser`` those of
    ``group`` (whose member the demo member is). Returns how many resources there are."""
    tags = {tag.slug: tag for tag in IssueTag.objects.all()}
    group_authors = list(User.objects.filter(memberships__group=group).order_by("pk")[:20])

    def issues_of(slugs: list[str]) -> list[IssueTag]:
        return [tags[s] for s in slugs if s in tags]

    made: list[Resource] = []

    def share(draft: ResourceDraft, upload: SimpleUploadedFile | None = None) -> Resource:
        in_group = rng.random() < 0.25
        if in_group:
            draft.group = group
            draft.audience = rng.choice(["public", "members"])
        author = rng.choice(group_authors if in_group else members)
        resource = resource_create(author=author, draft=draft, upload=upload)
        made.append(resource)
        return resource

    for title, summary, slugs in ARTICLES:
        body = (
            f"## {title}\n\n{summary}\n\n"
            "- Talk to people one at a time, and listen more than you speak.\n"
            "- Write down who will do what, and by when.\n"
            "- Come back to it at the next meeting.\n\n"
            "*Shared by a member of the network.*"
        )
        share(_draft("article", title, summary, issues_of(slugs), body=body))
    for title, url, slugs in LINKS:
        share(_draft("link", title, "Advice from outside the network.", issues_of(slugs), url=url))
    for title, url, slugs in VIDEOS:
        share(_draft("video", title, "A short video (on another site).", issues_of(slugs), url=url))
    for title, slugs, lines in PDFS:
        name = title.split(" (")[0].lower().replace(" ", "-").replace(":", "") + ".pdf"
        upload = SimpleUploadedFile(name, pdf_one_page(title, lines), "application/pdf")
        share(_draft("file", title, "A one-page PDF to print.", issues_of(slugs)), upload)
    for title, slugs, colour in IMAGES:
        upload = SimpleUploadedFile("poster.png", png_square(64, colour), "image/png")
        share(_draft("file", title, "An image to print or share.", issues_of(slugs)), upload)
    singles = list(made)
    for title, summary in READING_LISTS + TOOLKITS:
        kind = "reading_list" if title.startswith("Reading list") else "toolkit"
        body = f"{summary}\n\nWork through them in order; mark the ones that helped you."
        collection = resource_create(
            author=rng.choice(members), draft=_draft(kind, title, summary, [], body=body)
        )
        for item in rng.sample(singles, 5):
            collection_item_add(collection=collection, resource=item, member=collection.author)  # type: ignore[arg-type]
        made.append(collection)

    # The last article, link and video wait, so the moderation queue has something in it.
    last_of_kinds = [len(ARTICLES) - 1, len(ARTICLES) + len(LINKS) - 1]
    last_of_kinds.append(len(ARTICLES) + len(LINKS) + len(VIDEOS) - 1)
    waiting = {made[i].pk for i in last_of_kinds}
    for resource in made:
        if resource.pk in waiting:
            continue
        moderator = organiser if resource.group_id else coordinator
        resource_moderate(resource=resource, moderator=moderator, approve=True)

    # Members mark what helped them (in bulk: the demo's marks, not a member's clicks).
    marks = [
        HelpfulMark(resource=resource, member=member)
        for resource in made
        if resource.pk not in waiting
        for member in rng.sample(members, rng.randint(0, 40))
    ]
    HelpfulMark.objects.bulk_create(marks)
    counts = Resource.objects.annotate(marks=Count("helpful_marks")).values_list("pk", "marks")
    for pk, count in counts:
        Resource.objects.filter(pk=pk).update(helpful_count=count)
    return len(made)
