from __future__ import annotations

from django import forms

from rankandfile.lib.forms import ButtonForm
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
