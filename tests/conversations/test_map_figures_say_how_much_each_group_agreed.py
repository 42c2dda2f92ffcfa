"""The map page's figures and the campaign explanation's words, from a stored map alone."""

from __future__ import annotations

from rankandfile.opinions.figures import (
    campaign_explanation,
    choice_label,
    demand_figures,
    map_figures,
)

# Two groups; statement 0 unites them, statement 1 divides them, statement 2 was rejected
# since (no text is passed for it).
DATA = {
    "group_sizes": [3, 2],
    "in_conversation": 5,
    "groups": {"0": 0, "1": 0, "2": 0, "3": 1, "4": 1},
    "repness": {"0": [{"statement": 1, "direction": "agree", "percent": 100, "n_trials": 3}]},
    "consensus": {"agree": [0, 2], "disagree": []},
    "group_informed_consensus": {"0": 0.6, "1": 0.15, "2": 0.9},
    "divisive": [1],
    "votes": {"0": [5, 0, 5], "1": [3, 2, 5], "2": [5, 0, 5]},
    "group_votes": {"0": [[3, 0, 3], [2, 0, 2]], "1": [[3, 0, 3], [0, 2, 2]]},
}
TEXTS = {0: "Members should elect every candidate.", 1: "We should leave."}


def test_statements_without_a_shown_text_are_left_out_everywhere() -> None:
    figures = map_figures(DATA, TEXTS)

    assert [f.number for f in figures.consensus_agree] == [0]
    assert [f.number for f in figures.informed] == [0, 1]  # 2 was the highest, but rejected
    assert [f.number for f in figures.common_ground] == [0, 1]
    assert [(row.name, row.size) for row in figures.groups] == [("Group A", 3), ("Group B", 2)]
    assert figures.groups[0].representative[0].text == "We should leave."
    assert figures.clustered == 5


def test_a_statement_every_group_agrees_with_says_so_with_each_groups_share() -> None:
    united = map_figures(DATA, TEXTS).consensus_agree[0]

    assert united.every_group_agrees
    assert demand_figures(united) == (
        "100% of the participants who voted on it agreed, and so did a majority of every "
        "opinion group (Group A 100%, Group B 100%); group-informed consensus 0.60"
    )
    assert choice_label(united) == (
        "“Members should elect every candidate.”: 100% agreed, a majority of every opinion "
        "group; group-informed consensus 0.60"
    )


def test_a_divided_statement_gives_each_groups_share_without_claiming_a_majority() -> None:
    divided = map_figures(DATA, TEXTS).divisive[0]

    assert not divided.every_group_agrees
    assert demand_figures(divided) == (
        "60% of the participants who voted on it agreed; within the opinion groups, Group A "
        "100%, Group B 0% agreed; group-informed consensus 0.15"
    )


def test_the_explanation_links_back_and_gives_each_demands_figures() -> None:
    figures = map_figures(DATA, TEXTS)

    text = campaign_explanation(
        question="Stay or go?",
        url="https://organise.example.org/conversations/7/",
        chosen=figures.consensus_agree,
        participants=5,
    )

    assert text.splitlines() == [
        "These demands come from the conversation “Stay or go?” "
        "(https://organise.example.org/conversations/7/), where 5 members voted on each "
        "other's statements and found common ground across their opinion groups.",
        "",
        f"“{TEXTS[0]}”: {demand_figures(figures.consensus_agree[0])}.",
    ]
