"""Forms of the introduction pages; the rules themselves are in services.py."""

from __future__ import annotations

from typing import Any

from django import forms

from rankandfile.accounts.models import Skill
from rankandfile.introductions.models import MESSAGE_LONGEST, PHONE_LONGEST, ContactMethod
from rankandfile.introductions.services import (
    PHONE_INVALID,
    RADIUS_CHOICES_KM,
    IntroductionError,
    district_for_matching,
    phone_normalise,
)
from rankandfile.lib.forms import ButtonForm


def _message_field() -> forms.CharField:
    return forms.CharField(
        label="Your message",
        max_length=MESSAGE_LONGEST,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write a short message saying who you are and why you ask.",
            "max_length": f"Keep the message to at most {MESSAGE_LONGEST} characters.",
        },
        help_text=f"Plain text, at most {MESSAGE_LONGEST} characters: who you are and why you "
        "ask. Do not put your phone number or address here: they are shared only if the other "
        "side accepts.",
    )


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AskGroupForm(_Form):
    message = _message_field()


class AskSkillForm(_Form):
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.all(),
        label="Skill",
        empty_label="Choose a skill",
        to_field_name="slug",
        help_text="What the person you are looking for can do.",
    )
    district = forms.CharField(
        label="Near postcode district",
        max_length=8,
        help_text="The first half of a postcode, for example LS6.",
    )
    radius_km = forms.TypedChoiceField(
        label="Within",
        choices=[(km, f"{km} km") for km in RADIUS_CHOICES_KM],
        coerce=int,
        initial=10,
    )
    message = _message_field()

    def clean_district(self) -> str:
        try:
            return district_for_matching(self.cleaned_data["district"])
        except IntroductionError as error:
            raise forms.ValidationError(str(error)) from None


class ContactForm(_Form):
    method = forms.ChoiceField(
        label="What the other side sees when you accept an introduction",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        initial=ContactMethod.EMAIL,
    )
    phone = forms.CharField(
        label="Phone number (if you chose a phone number)",
        max_length=PHONE_LONGEST + 10,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="For example 07700 900123 or +44 7700 900123.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("method") == ContactMethod.PHONE:
            phone = cleaned.get("phone", "")
            if not phone:
                self.add_error("phone", "Enter the phone number to share, or choose email.")
            else:
                try:
                    cleaned["phone"] = phone_normalise(phone)
                except IntroductionError:
                    self.add_error("phone", PHONE_INVALID)
        return cleaned


class AnswerForm(ButtonForm):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    back = forms.ChoiceField(choices=[("mine", "mine"), ("group", "group")], required=False)
