from __future__ import annotations

from typing import Any

from django import forms

from rankandfile.campaigns.models import (
    PLEDGE_AMOUNT_MOST_PENCE,
    THRESHOLD_PENCE_MOST,
    THRESHOLD_PEOPLE_MOST,
    VERDICT_QUORUM_MIN_PEOPLE,
    Stage,
)
from rankandfile.lib.money import AmountError, pence_from_pounds


class PledgeForm(forms.Form):
    options = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="I pledge that, if the demands are not met by the deadline, I will",
    )
    amount = forms.CharField(
        required=False,
        label="Amount I would claim back, in pounds",
        help_text="Private to you: only the total of all pledges is ever shown.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["options"].choices = [  # type: ignore[attr-defined]
            (o.key, o.label) for o in stage.options.all()
        ]
        if not any(o.asks_amount for o in stage.options.all()):
            del self.fields["amount"]

    def clean_amount(self) -> int | None:
        raw = (self.cleaned_data.get("amount") or "").strip()
        if not raw:
            return None
        try:
            return pence_from_pounds(raw, most_pence=PLEDGE_AMOUNT_MOST_PENCE)
        except AmountError as error:
            raise forms.ValidationError(str(error)) from None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class StageFields(forms.Form):
    """One rung of the ladder, as an organiser types it."""

    title = forms.CharField(max_length=160)
    deadline = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UK time.",
    )
    threshold_people = forms.IntegerField(
        min_value=1, max_value=THRESHOLD_PEOPLE_MOST, required=False, label="People needed"
    )
    threshold_pounds = forms.IntegerField(
        min_value=1,
        max_value=THRESHOLD_PENCE_MOST // 100,
        required=False,
        label="Money at stake needed, in pounds",
    )
    options = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Pledge options, one per line",
        help_text='End a line with "(amount)" if the pledger states a sum, e.g. '
        '"Claim back my subscriptions (amount)".',
    )
    action_instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What everyone does if it is triggered"
    )
    letter_template = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Letter (optional)",
        help_text="{display_name}, {amount} and {act_by} are filled in for each pledger.",
    )
    verdict_quorum_percent = forms.IntegerField(
        min_value=1,
        max_value=100,
        required=False,
        # No initial value: an untouched optional second stage must stay unchanged.
        widget=forms.NumberInput(attrs={"placeholder": "50"}),
        label="Verdict quorum, as a percentage of the stage's pledgers",
        help_text="If the threshold is reached, the pledgers decide by secret ballot whether the "
        "demands were met. The verdict counts only if at least this share of them vote, and "
        f"never fewer than {VERDICT_QUORUM_MIN_PEOPLE} people. Blank means 50%.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("threshold_people") and not data.get("threshold_pounds"):
            raise forms.ValidationError("Set a threshold of people, of money, or both.")
        return data

    def clean_verdict_quorum_percent(self) -> int:
        share = self.cleaned_data.get("verdict_quorum_percent")
        return 50 if share is None else int(share)

    def option_inputs(self) -> list[tuple[str, bool]]:
        """(label, asks_amount) for each line."""
        result = []
        for line in _lines(self.cleaned_data["options"]):
            asks = line.lower().endswith("(amount)")
            result.append((line[: -len("(amount)")].strip() if asks else line, asks))
        return result


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=160)
    target = forms.CharField(
        max_length=200, help_text="Who must respond, e.g. the party's national executive."
    )
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    demands = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), label="Demands, one per line"
    )

    def demand_list(self) -> list[str]:
        return _lines(self.cleaned_data["demands"])
