"""The opinion map as an SVG: one mark per clustered participant, a legend, where you sit."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from rankandfile.opinions.maths import OpinionMap, opinion_map
from rankandfile.opinions.svg import PALETTE, convex_hull, opinion_map_svg
from tests.opinions.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def two_camps() -> list[tuple[int, int, int]]:
    """Participants 0-9 agree with statements 0-4 and disagree with 5-9; 10-19 the reverse."""
    return [(p, s, 1 if (p < 10) == (s < 5) else -1) for p in range(20) for s in range(10)]


def marks(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == "participant"]


def legend(root: ET.Element) -> dict[int, str]:
    return {
        int(entry.get("data-group", "")): "".join(entry.itertext()).strip()
        for entry in root.iter(f"{SVG}g")
        if entry.get("class") == "legend-entry"
    }


def test_every_clustered_participant_is_one_mark_in_their_group(
    maps: dict[str, OpinionMap],
) -> None:
    result = maps["vtaiwan.uberx"]

    root = ET.fromstring(opinion_map_svg(result))

    drawn = marks(root)
    assert sorted(int(m.get("data-participant", "")) for m in drawn) == sorted(result.groups)
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "group":
            number = int(group.get("data-group", ""))
            members = [int(m.get("data-participant", "")) for m in group]
            assert members and all(result.groups[p] == number for p in members)
    unclustered = set(result.participants) - set(result.groups)
    assert unclustered, "vtaiwan.uberx has participants with too few votes to be placed"


def test_each_group_has_a_legend_entry_with_its_size_and_its_own_colour_and_shape(
    maps: dict[str, OpinionMap],
) -> None:
    result = maps["brexit-consensus"]
    sizes = Counter(result.groups.values())

    root = ET.fromstring(opinion_map_svg(result))

    assert legend(root) == {
        group: f"Group {'AB'[group]} ({size} participants)" for group, size in sizes.items()
    }
    # A colour per group, and a shape per group too, so that colour is not needed to tell them.
    tags = {m.get("fill"): m.tag for m in marks(root)}
    assert set(tags) == set(PALETTE[: len(sizes)])
    assert len(set(tags.values())) == len(sizes)
    hulls = [e for e in root.iter(f"{SVG}polygon") if e.get("class") == "hull"]
    assert sorted(int(h.get("data-group", "")) for h in hulls) == sorted(sizes)


def test_the_map_has_a_title_and_a_description_and_no_axes() -> None:
    result = opinion_map(two_camps())

    root = ET.fromstring(opinion_map_svg(result, title="Stay or leave?"))

    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Stay or leave?"
    assert desc is not None and desc.text is not None
    assert "20 participants in 2 opinion groups" in desc.text
    assert "Group A, 10 participants; Group B, 10 participants" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.find(f".//{SVG}line") is None, "no axes"
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts == ["Group A (10 participants)", "Group B (10 participants)"]


def test_the_highlighted_participant_is_circled_and_labelled_you() -> None:
    result = opinion_map(two_camps())

    root = ET.fromstring(opinion_map_svg(result, highlight_participant=13))

    highlights = [e for e in root.iter(f"{SVG}g") if e.get("class") == "highlight"]
    assert [h.get("data-participant") for h in highlights] == ["13"]
    assert "".join(highlights[0].itertext()).strip() == "You"
    ring = highlights[0].find(f"{SVG}circle")
    mark = next(m for m in marks(root) if m.get("data-participant") == "13")
    assert ring is not None and mark.tag == f"{SVG}rect", "group B's marks are squares"
    side = float(mark.get("width", ""))
    centre = (float(mark.get("x", "")) + side / 2, float(mark.get("y", "")) + side / 2)
    assert abs(float(ring.get("cx", "")) - centre[0]) <= 0.15, "the ring is around the mark"
    assert abs(float(ring.get("cy", "")) - centre[1]) <= 0.15
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "You are the mark circled in black, in Group B" in str(desc.text)


def test_a_participant_who_is_not_on_the_map_is_not_highlighted() -> None:
    votes = [*two_camps(), (99, 0, 1)]  # one vote is too few to be placed
    result = opinion_map(votes)

    for absent in (99, 12345):
        root = ET.fromstring(opinion_map_svg(result, highlight_participant=absent))
        assert not [e for e in root.iter() if e.get("class") == "highlight"]
        assert len(marks(root)) == 20


def test_the_same_map_draws_the_same_svg_and_fits_its_size(
    maps: dict[str, OpinionMap],
) -> None:
    result = maps["15-per-hour-seattle"]

    drawn = opinion_map_svg(result, width=390, height=420)

    assert drawn == opinion_map_svg(result, width=390, height=420)
    root = ET.fromstring(drawn)
    assert root.get("viewBox") == "0 0 390 420"
    for mark in marks(root):
        if mark.tag == f"{SVG}circle":
            assert 0 <= float(mark.get("cx", "")) <= 390
            assert 0 <= float(mark.get("cy", "")) <= 420


def test_an_empty_map_says_there_are_no_groups_yet() -> None:
    root = ET.fromstring(opinion_map_svg(opinion_map([])))

    assert marks(root) == []
    assert "No opinion groups yet" in "".join(root.itertext())


def test_a_title_is_escaped() -> None:
    result = opinion_map(two_camps())

    root = ET.fromstring(opinion_map_svg(result, title='Rent & "repairs" <now>'))

    title = root.find(f"{SVG}title")
    assert title is not None and title.text == 'Rent & "repairs" <now>'


def test_the_convex_hull_keeps_only_the_corners() -> None:
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (1.0, 1.0), (1.0, 0.0)]

    assert convex_hull(square) == [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert convex_hull([(1.0, 1.0), (1.0, 1.0)]) == [(1.0, 1.0)]


def test_the_command_writes_the_svg_file(tmp_path: Path) -> None:
    target = tmp_path / "map.svg"

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rankandfile",
            "opinion-map",
            str(DATA / "london.youth.policing"),
            "--svg",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Opinion map of london.youth.policing"
    assert marks(root)
    assert legend(root)


def test_the_command_says_when_it_cannot_write_the_svg(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "map.svg"

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rankandfile",
            "opinion-map",
            str(DATA / "london.youth.policing"),
            "--svg",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )

    assert done.returncode == 2
    assert "missing-folder" in done.stderr


def test_drawing_the_svg_does_not_load_django(tmp_path: Path) -> None:
    folder, target = str(DATA / "london.youth.policing"), str(tmp_path / "map.svg")
    code = (
        "import sys\n"
        "from rankandfile.cli import main\n"
        f"assert main(['opinion-map', {folder!r}, '--svg', {target!r}]) == 0\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert Path(target).exists()
