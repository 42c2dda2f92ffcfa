from __future__ import annotations

from django import forms

from rankandfile.notifications.models import Frequency


class PreferenceForm(forms.Form):
    group = forms.IntegerField(widget=forms.HiddenInput)
    frequency = forms.ChoiceField(choices=Frequency.choices, label="Campaign email")
