"""The opinion map drawn as an SVG scatter plot. Standard library only; no Django here.

Each clustered participant is one mark at their two-dimensional position, in their group's
colour and shape (the shape tells the groups apart without colour). Each group has its convex
hull drawn behind its marks and a legend entry "Group A (12 participants)". There are no axes:
the principal components have no meaning of their own, only closeness does (participants close
together voted alike). The same votes give the same SVG, byte for byte.

``opinion_map_svg`` is used by ``rankandfile opinion-map DIR --svg FILE``; the web page draws the
same plot from the stored map with ``stored_map_svg``, passing ``highlight_participant`` to show
a member where they sit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from rankandfile.opinions.maths import OpinionMap

Point = tuple[float, float]

# Okabe and Ito's colour-blind-safe palette, the colours each at least 3:1 against white
# (WCAG 1.4.11 for graphics): blue, vermillion, bluish green, reddish purple, black.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#AA3377", "#000000")
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down")
HIGHLIGHT = "#000000"
BACKGROUND = "#FFFFFF"
TEXT = "#1A1A1A"

MARK_RADIUS = 5.0
PADDING = 16.0
LEGEND_ROW = 26.0
LEGEND_COLUMN = 210.0
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def group_name(group: int) -> str:
    """Groups are named by letter, as in Polis: 0 is "Group A", 25 "Group Z", 26 "Group 27".

    >>> group_name(1)
    'Group B'
    """
    return f"Group {chr(ord('A') + group)}" if 0 <= group < 26 else f"Group {group + 1}"


def _participants(count: int) -> str:
    return f"{count} participant" if count == 1 else f"{count} participants"


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _points(points: Sequence[Point]) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in points)


def convex_hull(points: Sequence[Point]) -> list[Point]:
    """The corners of the convex hull, anticlockwise from the lowest-leftmost (monotone chain)."""
    ordered = sorted(set(points))
    if len(ordered) <= 2:
        return ordered

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(sequence: Sequence[Point]) -> list[Point]:
        chain: list[Point] = []
        for point in sequence:
            while len(chain) >= 2 and cross(chain[-2], chain[-1], point) <= 0:
                chain.pop()
            chain.append(point)
        return chain

    lower, upper = half(ordered), half(ordered[::-1])
    return lower[:-1] + upper[:-1]


def _mark(shape: str, x: float, y: float, size: float, attributes: str) -> str:
    """One marker of ``shape`` centred on (x, y), of about the same area whatever the shape."""
    if shape == "circle":
        return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{_number(size)}"{attributes}/>'
    if shape == "square":
        half = size * 0.89
        return (
            f'<rect x="{_number(x - half)}" y="{_number(y - half)}" '
            f'width="{_number(2 * half)}" height="{_number(2 * half)}"{attributes}/>'
        )
    if shape == "diamond":
        r = size * 1.25
        corners = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    else:
        r = size * 1.35
        dy = -1 if shape == "triangle" else 1
        corners = [
            (x, y + dy * r),
            (x + r * 0.866, y - dy * r / 2),
            (x - r * 0.866, y - dy * r / 2),
        ]
    return f'<polygon points="{_points(corners)}"{attributes}/>'


def _style(group: int) -> tuple[str, str]:
    return PALETTE[group % len(PALETTE)], SHAPES[group % len(SHAPES)]


def _description(sizes: Mapping[int, int], highlighted: int | None) -> str:
    if not sizes:
        return "No opinion groups yet: too few participants have voted on enough statements."
    total = sum(sizes.values())
    groups = "; ".join(f"{group_name(g)}, {_participants(n)}" for g, n in sorted(sizes.items()))
    count = "1 opinion group" if len(sizes) == 1 else f"{len(sizes)} opinion groups"
    text = (
        f"A scatter plot of {_participants(total)} in {count}: {groups}. "
        "Each mark is one participant, with their group's colour and shape; participants close "
        "together voted alike. The position on the page has no other meaning."
    )
    if highlighted is not None:
        text += f" You are the mark circled in black, in {group_name(highlighted)}."
    return text


def opinion_map_svg(
    result: OpinionMap,
    *,
    width: int = 640,
    height: int = 480,
    highlight_participant: int | None = None,
    title: str = "Opinion map",
    id_prefix: str = "opinion-map",
) -> str:
    """The map of ``result`` as a standalone SVG document of ``width`` by ``height`` pixels.

    Only clustered participants (those in ``result.groups``) are drawn. A
    ``highlight_participant`` who is one of them is circled and labelled "You"; any other
    participant is not drawn. ``id_prefix`` keeps element ids unique when a page holds several
    maps. The plot keeps the two components at the same scale, so distances are true.
    """
    return _scatter_svg(
        result.groups,
        result.positions,
        width=width,
        height=height,
        highlight_participant=highlight_participant,
        title=title,
        id_prefix=id_prefix,
    )


def stored_map_svg(
    positions: Mapping[str, Sequence[float]],
    groups: Mapping[str, int],
    *,
    width: int = 640,
    height: int = 480,
    highlight_participant: int | None = None,
    title: str = "Opinion map",
    id_prefix: str = "opinion-map",
) -> str:
    """The map as the web page draws it, from a stored map (``summary.map_data``'s
    ``positions`` and ``groups``, keyed by participant numbers as strings in JSON). The marks
    carry no participant numbers: a page has no use for them, and while the conversation is
    open a number is what a comparison of votes over time would need."""
    return _scatter_svg(
        {int(p): g for p, g in groups.items()},
        {int(p): (float(xy[0]), float(xy[1])) for p, xy in positions.items() if p in groups},
        width=width,
        height=height,
        highlight_participant=highlight_participant,
        title=title,
        id_prefix=id_prefix,
        numbered=False,
    )


def _scatter_svg(
    clustered: Mapping[int, int],
    all_positions: Mapping[int, Point],
    *,
    width: int,
    height: int,
    highlight_participant: int | None,
    title: str,
    id_prefix: str,
    numbered: bool = True,
) -> str:
    groups = dict(sorted(clustered.items()))
    sizes: dict[int, int] = {}
    for group in groups.values():
        sizes[group] = sizes.get(group, 0) + 1
    highlighted = highlight_participant if highlight_participant in groups else None
    highlighted_group = None if highlighted is None else groups[highlighted]

    columns = max(1, int((width - 2 * PADDING) // LEGEND_COLUMN))
    rows = -(-len(sizes) // columns) if sizes else 0
    legend_height = rows * LEGEND_ROW + (PADDING if rows else 0)
    plot_left, plot_top = PADDING, PADDING
    plot_width = max(1.0, width - 2 * PADDING)
    plot_height = max(1.0, height - 2 * PADDING - legend_height)

    positions = {p: all_positions[p] for p in groups}
    place = _placer(list(positions.values()), plot_left, plot_top, plot_width, plot_height)

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="opinion-map" '
        f"font-family={quoteattr(FONT)}>",
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(_description(sizes, highlighted_group))}</desc>',
        f'<rect class="background" width="{width}" height="{height}" fill="{BACKGROUND}"/>',
    ]
    if not groups:
        lines.append(
            f'<text x="{_number(width / 2)}" y="{_number(height / 2)}" text-anchor="middle" '
            f'font-size="16" fill="{TEXT}">No opinion groups yet</text>'
        )
    for group in sorted(sizes):
        colour, _ = _style(group)
        corners = convex_hull([place(positions[p]) for p, g in groups.items() if g == group])
        if len(corners) >= 2:
            lines.append(
                f'<polygon class="hull" data-group="{group}" points="{_points(corners)}" '
                f'fill="{colour}" fill-opacity="0.08" stroke="{colour}" stroke-width="1.5" '
                'stroke-linejoin="round"/>'
            )
    for group in sorted(sizes):
        colour, shape = _style(group)
        lines.append(f'<g class="group" data-group="{group}">')
        for participant, g in groups.items():
            if g != group:
                continue
            x, y = place(positions[participant])
            number = f' data-participant="{participant}"' if numbered else ""
            attributes = (
                f' class="participant"{number} fill="{colour}" '
                f'stroke="{BACKGROUND}" stroke-width="0.75"'
            )
            lines.append(_mark(shape, x, y, MARK_RADIUS, attributes))
        lines.append("</g>")
    if highlighted is not None:
        x, y = place(positions[highlighted])
        label_y = y - 14 if y - 14 > plot_top + 8 else y + 24
        colour, shape = _style(groups[highlighted])
        lines += [
            f'<g class="highlight" data-participant="{highlighted}">'
            if numbered
            else '<g class="highlight">',
            # Drawn again on top, so that other groups' marks do not hide it.
            _mark(shape, x, y, MARK_RADIUS, f' fill="{colour}" stroke="{BACKGROUND}"'),
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="11" fill="none" '
            f'stroke="{BACKGROUND}" stroke-width="5"/>',
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="11" fill="none" '
            f'stroke="{HIGHLIGHT}" stroke-width="2.5"/>',
            f'<text x="{_number(x)}" y="{_number(label_y)}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{TEXT}" stroke="{BACKGROUND}" stroke-width="4" '
            'paint-order="stroke">You</text>',
            "</g>",
        ]
    legend_top = height - legend_height
    for index, (group, size) in enumerate(sorted(sizes.items())):
        colour, shape = _style(group)
        x = PADDING + (index % columns) * LEGEND_COLUMN
        y = legend_top + (index // columns) * LEGEND_ROW + LEGEND_ROW / 2
        label = f"{group_name(group)} ({_participants(size)})"
        lines += [
            f'<g class="legend-entry" data-group="{group}" data-size="{size}">',
            _mark(shape, x + 8, y, 6.0, f' fill="{colour}"'),
            f'<text x="{_number(x + 22)}" y="{_number(y)}" dominant-baseline="central" '
            f'font-size="14" fill="{TEXT}">{escape(label)}</text>',
            "</g>",
        ]
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


class _Place:
    """A position to page coordinates: scaled about the centre of the data, y flipped."""

    def __init__(
        self, centre_x: float, centre_y: float, scale: float, page_x: float, page_y: float
    ) -> None:
        self.centre_x, self.centre_y, self.scale = centre_x, centre_y, scale
        self.page_x, self.page_y = page_x, page_y

    def __call__(self, position: Point) -> Point:
        x, y = position
        return (
            self.page_x + (x - self.centre_x) * self.scale,
            self.page_y - (y - self.centre_y) * self.scale,
        )


def _placer(
    points: Sequence[Point], left: float, top: float, width: float, height: float
) -> _Place:
    """Map positions into the plot box at one scale for both axes, centred, y pointing up."""
    margin = MARK_RADIUS * 2.5
    if not points:
        return _Place(0.0, 0.0, 1.0, left + width / 2, top + height / 2)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    usable_w, usable_h = max(1.0, width - 2 * margin), max(1.0, height - 2 * margin)
    spans = [usable_w / span_x] if span_x > 0 else []
    spans += [usable_h / span_y] if span_y > 0 else []
    scale = min(spans) if spans else 1.0
    return _Place(
        (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, scale, left + width / 2, top + height / 2
    )
