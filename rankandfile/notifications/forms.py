from __future__ import annotations

from typing import Any

from django import forms

from rankandfile.lib.forms import ButtonForm
from rankandfile.notifications.imports import FIELDS
from rankandfile.notifications.kinds import ADDRESSED_KINDS, KINDS, kind_label
from rankandfile.notifications.models import Frequency, MessageStatus
from rankandfile.notifications.selectors import OutboxFilters


class PreferenceForm(ButtonForm):
    not_understood = "That choice was not understood; nothing was changed."
    group = forms.IntegerField(widget=forms.HiddenInput)
    frequency = forms.ChoiceField(choices=Frequency.choices, label="Campaign email")


class OutboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        required=False,
        label="Kind",
        choices=[
            ("", "Every kind"),
            *sorted(((k, kind_label(k)) for k in {*KINDS, *ADDRESSED_KINDS}), key=lambda c: c[1]),
        ],
    )
    status = forms.ChoiceField(
        required=False, label="State", choices=[("", "Every state"), *MessageStatus.choices]
    )

    def filters(self) -> OutboxFilters:
        data = self.cleaned_data if self.is_valid() else getattr(self, "cleaned_data", {})
        return OutboxFilters(kind=data.get("kind") or "", status=data.get("status") or "")


class MemberImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "A CSV export from NationBuilder or Action Network, or a spreadsheet saved as CSV, "
            "with a header row and at most 20,000 rows (5 MB)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MemberImportMappingForm(forms.Form):
    """Which column of the file feeds each field; only the email column is needed."""

    not_mapped = ""

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(self.not_mapped, "Not in the file")] + [
            (str(index), name or f"Column {index + 1}") for index, name in enumerate(header)
        ]
        for name, label in FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=f"{label} column", choices=choices, required=name == "email"
            )
        self.fields["email"].error_messages["required"] = (
            "Choose the column that holds the email addresses."
        )

    def mapping(self) -> dict[str, int | None]:
        return {
            name: int(value) if value not in ("", None) else None
            for name, value in self.cleaned_data.items()
        }
