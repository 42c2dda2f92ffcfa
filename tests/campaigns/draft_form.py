"""The draft form as an organiser fills it in: field names of the campaign and of each stage."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def future(days: int) -> str:
    """A deadline ``days`` ahead, as the form's date and time box sends it."""
    return f"{timezone.localtime() + timedelta(days=days):%Y-%m-%dT%H:%M}"


def campaign_fields(title: str = "Publish the report") -> dict[str, str]:
    return {
        "title": title,
        "target": "the national executive",
        "explanation": "Together we ask the executive to publish the report.",
        "demands": "Publish the report\nAct on it",
    }


def stage_fields(number: int, title: str, *, days: int, people: int = 100) -> dict[str, str]:
    return {
        f"stage{number}-title": title,
        f"stage{number}-deadline": future(days),
        f"stage{number}-threshold_people": str(people),
        f"stage{number}-threshold_pounds": "",
        f"stage{number}-options": "Cancel my direct debit\n"
        "Stop paying my subscription | Amount you will stop paying each month (£)",
        f"stage{number}-action_instructions": "Cancel your direct debit.",
        f"stage{number}-letter_template": "",
    }
