from __future__ import annotations

from django import forms

from rankandfile.lib.forms import ButtonForm
from rankandfile.notifications.models import Frequency


class PreferenceForm(ButtonForm):
    not_understood = "That choice was not understood; nothing was changed."
    group = forms.IntegerField(widget=forms.HiddenInput)
    frequency = forms.ChoiceField(choices=Frequency.choices, label="Campaign email")
