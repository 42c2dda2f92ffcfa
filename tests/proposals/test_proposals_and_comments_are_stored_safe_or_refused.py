"""Members' Markdown in a proposal, an amendment and a comment: script tags, event handlers and
javascript: links never reach a page as HTML, links get rel="nofollow noopener", and a 1 MB
body is refused with a clear message, saving nothing."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from rankandfile.lib.markdown import (
    ALLOWED_TAGS,
    COMMENT_LONGEST,
    MarkdownTooLongError,
    markdown_render,
    markdown_source_clean,
)
from rankandfile.proposals.comments import CommentError, comment_create
from rankandfile.proposals.models import Comment, Proposal
from rankandfile.proposals.services import (
    ProposalError,
    amendment_propose,
    proposal_draft_create,
)
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import branch_make, proposal_opened

HOSTILE = "\n\n".join(
    [
        "<script>alert('x')</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)" onclick="alert(2)">click</a>',
        "[a link](javascript:alert(3)) and [another](JAVASCRIPT:alert(4))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)",
        '<iframe src="https://evil.example"></iframe><svg onload="alert(6)"></svg>',
        "<style>body{display:none}</style>",
        "![tracker](https://evil.example/pixel.png)",
        "[fine](https://example.org/page) and **bold**",
        "Nul\x00byte and a control \x07 character.",
    ]
)
ONE_MEGABYTE = "a" * 1_000_000


class _Elements(HTMLParser):
    """Every element and attribute of a piece of HTML, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def _assert_safe(html: str) -> None:
    elements = _Elements()
    elements.feed(html)
    assert set(elements.tags) <= ALLOWED_TAGS, set(elements.tags) - ALLOWED_TAGS
    assert {"script", "img", "iframe", "svg", "style"}.isdisjoint(elements.tags)
    for tag, name, value in elements.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name in {"href", "rel", "title", "start"}, (tag, name)
        if name == "href":
            assert value.startswith(("https:", "http:", "mailto:")), value
    links = [value for tag, name, value in elements.attributes if tag == "a" and name == "href"]
    # The image is a link, never fetched by the reader's browser.
    assert links == ["https://evil.example/pixel.png", "https://example.org/page"]
    rels = [value for tag, name, value in elements.attributes if name == "rel"]
    assert rels == ["nofollow noopener"] * 2


def test_hostile_markup_comes_out_as_text_and_links_are_safe() -> None:
    html = markdown_render(markdown_source_clean(HOSTILE, longest=COMMENT_LONGEST))
    _assert_safe(html)
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html  # shown as typed, as text
    assert "\x00" not in html and "\x07" not in html
    assert "<strong>bold</strong>" in html


@pytest.mark.django_db
def test_a_proposal_amendment_and_comment_show_hostile_markup_as_text(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch, text=HOSTILE)
    assert "\x00" not in proposal.text  # PostgreSQL could not store it
    _assert_safe(markdown_render(proposal.text))
    amendment = amendment_propose(
        proposal=proposal, author=branch.members[0], proposed_text=HOSTILE + "\n\nMore."
    )
    _assert_safe(markdown_render(amendment.proposed_text))
    comment = comment_create(proposal=proposal, author=branch.members[1], text=HOSTILE)
    _assert_safe(markdown_render(comment.text))


@pytest.mark.django_db
def test_a_one_megabyte_body_is_refused_with_a_clear_message(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    with pytest.raises(ProposalError) as refused:
        proposal_draft_create(
            proposer=branch.proposer, group=branch.group, title="Long", text=ONE_MEGABYTE
        )
    assert str(refused.value) == (
        "The proposal's text can be at most 20,000 characters; this one has 1,000,000."
    )
    assert not Proposal.objects.exists()

    proposal = proposal_opened(branch)
    with pytest.raises(CommentError) as refused_comment:
        comment_create(proposal=proposal, author=branch.members[0], text=ONE_MEGABYTE)
    assert str(refused_comment.value) == (
        "A comment can be at most 5,000 characters; this one has 1,000,000."
    )
    assert not Comment.objects.exists()


def test_a_text_just_over_its_limit_says_by_how_much() -> None:
    with pytest.raises(MarkdownTooLongError, match=r"Shorten it by 1\."):
        markdown_source_clean("x" * 5_001, longest=5_000, what="A comment")
    assert markdown_source_clean(" x\r\n" * 2, longest=5_000) == "x\n x"
