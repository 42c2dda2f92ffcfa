from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils import timezone

from rankandfile.campaigns.models import (
    PLEDGE_AMOUNT_MOST_PENCE,
    STAGES_MOST,
    THRESHOLD_PENCE_MOST,
    THRESHOLD_PEOPLE_MOST,
    VERDICT_QUORUM_MIN_PEOPLE,
    Campaign,
    PledgeOption,
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
        help_text="Private to you: only the total of all pledges is ever shown.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, options: Iterable[PledgeOption], **kwargs: Any) -> None:
        """``options``: the stage's pledge options, in order."""
        super().__init__(*args, **kwargs)
        options = list(options)
        self.fields["options"].choices = [  # type: ignore[attr-defined]
            (o.key, o.label) for o in options
        ]
        # The amount field belongs to the (first) option that asks one: it is shown beside that
        # option, only while it is ticked, and its label says what the amount is for.
        asking = next((o for o in options if o.asks_amount), None)
        self.amount_option = asking
        if asking is None:
            del self.fields["amount"]
        else:
            self.fields["amount"].label = asking.amount_question
        self.amount_keys = {o.key for o in options if o.asks_amount}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ticked = set(data.get("options") or [])
        if ticked & self.amount_keys and data.get("amount") is None and "amount" not in self.errors:
            assert self.amount_option is not None
            self.add_error(
                "amount", f"Enter the amount in pounds for “{self.amount_option.label}”."
            )
        return data

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
        help_text="If the pledger states a sum, add “|” and what the amount is for, e.g. "
        "“Stop paying my subscription | Amount you will stop paying each month (£)”; or end "
        "the line with “(amount)”.",
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

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(
                "The deadline has passed: choose a date and time in the future."
            )
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("threshold_people") and not data.get("threshold_pounds"):
            raise forms.ValidationError("Set a threshold of people, of money, or both.")
        return data

    def clean_verdict_quorum_percent(self) -> int:
        share = self.cleaned_data.get("verdict_quorum_percent")
        return 50 if share is None else int(share)

    def option_inputs(self) -> list[tuple[str, bool, str]]:
        """(label, asks_amount, amount_label) for each line."""
        result = []
        for line in _lines(self.cleaned_data["options"]):
            label, bar, amount_label = (part.strip() for part in line.partition("|"))
            asks = bool(bar) or label.lower().endswith("(amount)")
            if label.lower().endswith("(amount)"):
                label = label[: -len("(amount)")].strip()
            result.append((label, asks, amount_label))
        return result


def stage_initial(stage: Stage) -> dict[str, object]:
    """A saved stage as the draft form shows it for editing."""
    lines = []
    for option in stage.options.all():
        if option.asks_amount:
            lines.append(
                f"{option.label} | {option.amount_label}"
                if option.amount_label
                else f"{option.label} (amount)"
            )
        else:
            lines.append(option.label)
    pence = stage.threshold_amount_pence
    return {
        "title": stage.title,
        "deadline": stage.deadline,
        "threshold_people": stage.threshold_people,
        "threshold_pounds": pence // 100 if pence else None,
        "options": "\n".join(lines),
        "action_instructions": stage.action_instructions,
        "letter_template": stage.letter_template,
        "verdict_quorum_percent": stage.verdict_quorum_percent,
    }


def campaign_initial(campaign: Campaign) -> dict[str, object]:
    return {
        "title": campaign.title,
        "target": campaign.target,
        "explanation": campaign.explanation,
        "demands": "\n".join(d.text for d in campaign.demands.all()),
    }


# The ladder in the draft form: stage N's fields are named "stageN-<field>", and the hidden
# "stage_count" says how many rows the organiser has. "Add another stage" and "Remove" are
# submit buttons that send the page back with a row more or less, so they work without script.


def stage_count_posted(data: Mapping[str, Any]) -> int:
    try:
        count = int(data.get("stage_count", ""))
    except ValueError:
        count = max(
            (n for n in range(1, STAGES_MOST + 1) if any(k.startswith(f"stage{n}-") for k in data)),
            default=1,
        )
    return min(max(count, 1), STAGES_MOST)


def stage_forms_bound(data: Mapping[str, Any]) -> list[StageFields]:
    """The ladder as posted, to validate: stages after the first may be left blank."""
    return [
        StageFields(data, prefix=f"stage{n}", empty_permitted=n > 1, use_required_attribute=False)
        for n in range(1, stage_count_posted(data) + 1)
    ]


def stage_forms_resized(
    data: Mapping[str, Any], *, add: bool, remove: int | None
) -> list[StageFields]:
    """The ladder as posted with a row added at the end or row ``remove`` taken out, unbound
    (what was typed is kept as initial values, and no errors are shown for half-typed rows)."""
    rows = [
        {name: data.get(f"stage{n}-{name}", "") for name in StageFields.base_fields}
        for n in range(1, stage_count_posted(data) + 1)
    ]
    if remove is not None and 1 <= remove <= len(rows) and len(rows) > 1:
        rows.pop(remove - 1)
    if add and len(rows) < STAGES_MOST:
        rows.append({})
    return [StageFields(prefix=f"stage{n}", initial=row) for n, row in enumerate(rows, 1)]


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


class BackingForm(forms.Form):
    """A member backs a campaign; their name is hidden unless they tick the box."""

    show_name = forms.BooleanField(
        required=False,
        label="Show my display name on the campaign's page",
        help_text="Leave it unticked to be counted without your name.",
    )
