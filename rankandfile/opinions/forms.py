from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from rankandfile.groups.models import Group
from rankandfile.opinions.figures import StatementFigures, choice_label


class CommonGroundForm(forms.Form):
    """An organiser picks statements that unite the groups, to become a campaign's demands."""

    statements = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Which statements become demands?",
        error_messages={"required": "Choose at least one statement to make a demand of."},
    )
    group = forms.ChoiceField(
        label="Which of your groups runs the campaign?",
        help_text="A campaign belongs to a group; this conversation is the whole network's.",
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
