"""Members' rich text: Markdown rendered to HTML, then sanitised, for proposals, comments and
(later) events and resources.

Two layers, so that a mistake in one is caught by the other:

- markdown-it-py renders CommonMark with raw HTML turned off (``html=False``): a ``<script>`` or
  ``<img onerror=...>`` typed by a member comes out as text, escaped, and its own link check
  refuses ``javascript:``, ``vbscript:`` and ``data:`` links;
- nh3 (the Ammonia sanitiser) then keeps only the tags and attributes listed here, links only to
  http, https and mailto addresses (and relative ones), each with ``rel="nofollow noopener"``.

No images (an image from another site tells that site who read the page, and when) and no
style attributes (the Content-Security-Policy refuses inline styles: table alignment is dropped).
The source is what is stored; it is rendered when shown, so a change to these rules applies to
everything already written.
"""

from __future__ import annotations

import unicodedata

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Longest sources accepted, in characters.
PROPOSAL_LONGEST = 20_000
COMMENT_LONGEST = 5_000

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "s", "del", "ins",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_renderer.enable(["table", "strikethrough"])
# An image would be fetched from another site by every reader: written as a link instead.
_renderer.disable("image")


class MarkdownTooLongError(ValueError):
    """A text longer than its limit; the message says so plainly, for the member."""


def markdown_source_clean(text: str, *, longest: int, what: str = "The text") -> str:
    """The member's Markdown as it will be stored: line endings made ``\\n``, control characters
    other than line breaks and tabs dropped (PostgreSQL cannot store NUL), ends trimmed.

    Refuses a text longer than ``longest`` characters, saying by how much.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > longest * 2:
        # Far too long: say so without walking a megabyte character by character.
        raise MarkdownTooLongError(
            f"{what} can be at most {longest:,} characters; this one has {len(text):,}."
        )
    kept = "".join(
        c for c in text if c in "\n\t" or unicodedata.category(c) not in {"Cc", "Cs"}
    ).strip()
    if len(kept) > longest:
        raise MarkdownTooLongError(
            f"{what} can be at most {longest:,} characters; this one has {len(kept):,}. "
            f"Shorten it by {len(kept) - longest:,}."
        )
    return kept


def markdown_render(source: str) -> SafeString:
    """The member's Markdown as safe HTML (see the module docstring)."""
    html = _renderer.render(source)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    # Safe because nh3 has just kept only the tags, attributes and link schemes listed above.
    return mark_safe(cleaned)
