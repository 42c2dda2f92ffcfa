from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.http import HttpRequest

from rankandfile.accounts.consents import CONSENT_TEXTS, ConsentPurpose
from rankandfile.accounts.models import IssueTag, Skill, TokenScope, User
from rankandfile.lib.forms import ButtonForm
from rankandfile.lib.postcodes import PostcodeDistrictError, normalise_postcode_district


class _ShortListChoices(forms.models.ModelChoiceIterator[Any]):
    """The choices read in one plain query. Django's own iterator reads them through a
    server-side cursor, meant for long lists: on PostgreSQL three round trips (declare, fetch,
    close) and a cursor kept past the commit, for a list of a few dozen tags."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():  # read afresh each time, as Django's own does
            yield self.choice(obj)


class _TagChoiceField[T: (IssueTag, Skill)](forms.ModelMultipleChoiceField[T]):
    iterator = _ShortListChoices


class TagCheckboxes(forms.CheckboxSelectMultiple):
    """Django's checkboxes, the same markup, from one template instead of three included for
    each option (a profile shows three dozen tags)."""

    template_name = "accounts/widgets/tag_checkboxes.html"


def tag_checkboxes[T: (IssueTag, Skill)](
    model: type[T], *, label: str
) -> forms.ModelMultipleChoiceField[T]:
    """Optional checkboxes over the staff-kept list of issues or skills."""
    return _TagChoiceField(
        queryset=model.objects.all(),
        required=False,
        widget=TagCheckboxes,
        label=label,
    )


class PostcodeDistrictField(forms.CharField):
    """A postcode district such as LS6; a full postcode is refused with an explanation."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Postcode district")
        kwargs.setdefault(
            "help_text",
            "Only the first part of your postcode, for example LS6 or M14. "
            "We never ask for or keep your full postcode.",
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value: Any) -> str:
        cleaned = super().clean(value)
        if not cleaned:
            return ""
        try:
            return normalise_postcode_district(cleaned)
        except PostcodeDistrictError as error:
            raise forms.ValidationError(str(error), code="postcode_district") from error


def _consent_field(purpose: ConsentPurpose) -> forms.BooleanField:
    text = CONSENT_TEXTS[purpose]
    return forms.BooleanField(
        required=text.required,
        label=text.summary,
        help_text=text.text,
        error_messages={
            "required": "You need to give this consent to join the network: without it we "
            "cannot keep your membership."
        },
    )


class MemberSignupForm(forms.Form):
    """The extra sign-up fields, used by django-allauth's sign-up form."""

    display_name = forms.CharField(
        max_length=60,
        label="Display name",
        help_text="Shown to other members. It may be a pseudonym.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    postcode_district = PostcodeDistrictField()
    consent_membership = _consent_field(ConsentPurpose.MEMBERSHIP)
    consent_campaign_email = _consent_field(ConsentPurpose.CAMPAIGN_EMAIL)
    consent_introductions = _consent_field(ConsentPurpose.INTRODUCTIONS)

    def given_consents(self) -> list[ConsentPurpose]:
        return [
            purpose for purpose in ConsentPurpose if self.cleaned_data.get(f"consent_{purpose}")
        ]

    def signup(self, request: HttpRequest, user: User) -> None:
        """Called by django-allauth once the account exists."""
        from rankandfile.accounts.services import member_signup_complete

        member_signup_complete(
            member=user,
            display_name=self.cleaned_data["display_name"],
            postcode_district=self.cleaned_data["postcode_district"],
            consents=self.given_consents(),
        )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=60,
        label="Display name",
        help_text="Shown to other members. It may be a pseudonym.",
    )
    postcode_district = PostcodeDistrictField()
    interests = tag_checkboxes(IssueTag, label="Issues you care about")
    skills = tag_checkboxes(Skill, label="Skills you can offer")


class ConsentChangeForm(ButtonForm):
    not_understood = "That consent change was not understood; nothing was changed."
    purpose = forms.ChoiceField(choices=ConsentPurpose.choices)
    action = forms.ChoiceField(choices=[("give", "Give"), ("withdraw", "Withdraw")])


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=60, label="Name of the new token")
    scope = forms.TypedChoiceField(
        choices=TokenScope.choices,
        coerce=TokenScope,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        label="What it may do",
    )
