"""Forms of the conversation pages; the rules themselves are in services.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from rankandfile.groups.models import Group
from rankandfile.lib.forms import ButtonForm
from rankandfile.opinions.figures import StatementFigures, choice_label
from rankandfile.opinions.models import SEED_STATEMENTS_MOST, STATEMENT_LONGEST, Moderation
from rankandfile.opinions.services import QUESTION_LONGEST

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> reads and sends


def _closes_at_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label="Closing time (optional)",
        required=False,
        help_text="UK time. Leave empty to close it yourself when you are ready.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


class ConversationForm(forms.Form):
    question = forms.CharField(
        max_length=QUESTION_LONGEST,
        help_text="What members will answer with statements, for example “Stay and fight, or "
        "leave and build?”",
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Background members need before they take part.",
    )
    seed_statements = forms.CharField(
        label="Seed statements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"One statement a line, each at most {STATEMENT_LONGEST} characters, at most "
        f"{SEED_STATEMENTS_MOST} statements. They are shown at once, so members have something "
        "to vote on from the start.",
    )
    closes_at = _closes_at_field()
    moderation = forms.ChoiceField(
        label="Members' statements",
        choices=Moderation.choices,
        initial=Moderation.ACCEPTED_UNLESS_REJECTED,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def seeds(self) -> list[str]:
        text: str = self.cleaned_data.get("seed_statements", "")
        return [line for line in text.splitlines() if line.strip()]


class SettingsForm(forms.Form):
    moderation = forms.ChoiceField(
        label="Members' statements", choices=Moderation.choices, widget=forms.RadioSelect
    )
    closes_at = _closes_at_field()
    map_published = forms.BooleanField(
        label="Publish the map after the close",
        required=False,
        help_text="Once the conversation has closed, everyone who can see it sees the map. "
        "While it is open, only members who have voted on enough statements see it.",
    )

    def __init__(self, *args: Any, is_open: bool, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not is_open:  # a closed conversation's closing time is history
            del self.fields["closes_at"]


class StatementForm(forms.Form):
    # No maxlength on the field: a long paste is kept whole and the page says how much to cut
    # (services._clean_statement counts after joining runs of spaces).
    text = forms.CharField(
        label="Your statement",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One short, clear idea others can agree or disagree with; at most "
        f"{STATEMENT_LONGEST} characters.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class VoteForm(ButtonForm):
    statement = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.TypedChoiceField(choices=[("1", "1"), ("-1", "-1"), ("0", "0")], coerce=int)


class ModerateForm(ButtonForm):
    status = forms.ChoiceField(choices=[("accepted", ""), ("rejected", ""), ("meta", "")])


class CommonGroundForm(forms.Form):
    """An organiser picks statements that unite the groups, to become a campaign's demands or
    a proposal's text."""

    statements = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Which statements do you take up?",
        error_messages={"required": "Choose at least one statement to take up."},
    )
    group = forms.ChoiceField(
        label="Which of your groups takes them up?",
        help_text=(
            "A campaign or a proposal belongs to a group; this conversation is the whole network's."
        ),
    )

    def __init__(
        self,
        *args: Any,
        common_ground: Sequence[StatementFigures],
        groups: Sequence[Group] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statements"].choices = [  # type: ignore[attr-defined]
            (each.number, choice_label(each)) for each in common_ground
        ]
        self.groups = {group.slug: group for group in groups or ()}
        if groups is None:
            del self.fields["group"]
        else:
            self.fields["group"].choices = [  # type: ignore[attr-defined]
                (group.slug, group.name) for group in groups
            ]

    def chosen_group(self) -> Group | None:
        slug = self.cleaned_data.get("group")
        return self.groups.get(slug) if slug else None
