from __future__ import annotations

from typing import Any

from django import forms

from rankandfile.accounts.forms import tag_checkboxes
from rankandfile.accounts.models import IssueTag
from rankandfile.groups.affiliations import (
    DECLINE_NEEDS_A_REASON,
    REASON_LONGEST,
    STATEMENT_LONGEST,
)
from rankandfile.groups.models import GroupKind, Role, Visibility
from rankandfile.groups.selectors import MemberFilters
from rankandfile.lib.postcodes import PostcodeDistrictError, normalise_postcode_district


class DistrictListField(forms.CharField):
    """A list of postcode districts separated by commas or spaces: "LS6, LS7 LS8"."""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        districts: list[str] = []
        errors: list[str] = []
        for item in text.replace(",", " ").split():
            try:
                districts.append(normalise_postcode_district(item))
            except PostcodeDistrictError as error:
                errors.append(f"{item}: {error}")
        if errors:
            raise forms.ValidationError(errors)
        return sorted(set(districts))


class GroupForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=GroupKind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    visibility = forms.ChoiceField(choices=Visibility.choices, widget=forms.RadioSelect)
    districts = DistrictListField(
        required=False,
        label="Postcode districts covered",
        help_text="Separate with commas or spaces, for example: LS6, LS7, LS8.",
    )
    issues = tag_checkboxes(IssueTag, label="Issues the group works on")


# The radius filter's choices on the directory, in kilometres.
RADIUS_CHOICES_KM = (5, 10, 25, 50, 100)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Words",
        help_text="Words in the group's name or description, such as: tenants organising.",
    )
    place = forms.CharField(
        required=False, label="Place", help_text="A postcode district or area, such as LS6 or LS."
    )
    radius_km = forms.TypedChoiceField(
        required=False,
        label="Within",
        coerce=int,
        empty_value=None,
        choices=[("", "Any distance"), *((str(km), f"{km} km") for km in RADIUS_CHOICES_KM)],
        help_text="From the district given as the place.",
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *GroupKind.choices], required=False)
    issue = forms.ChoiceField(required=False, label="Issue")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].choices = [  # type: ignore[attr-defined]
            ("", "Any issue"),
            *IssueTag.objects.values_list("slug", "name"),
        ]


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address to invite")


class RoleForm(forms.Form):
    """A row action of the member table: the member is named in the form, not the address."""

    member_id = forms.IntegerField(min_value=1)
    role = forms.ChoiceField(choices=Role.choices)


class MemberFilterForm(forms.Form):
    """The search and filters above an organiser's member table (a GET form)."""

    text = forms.CharField(
        required=False,
        max_length=100,
        label="Name or email",
        help_text="Emails are searched only where the member shares theirs with you.",
    )
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    vouched = forms.ChoiceField(
        choices=[("", "Vouched or not"), ("yes", "Vouched for"), ("no", "Not vouched for")],
        required=False,
        label="Vouched",
    )
    joined_since = forms.DateField(
        required=False,
        label="Joined since",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def filters(self) -> MemberFilters:
        """The filters of the fields that are valid; a field with an error filters nothing."""
        data = self.cleaned_data if self.is_valid() else getattr(self, "cleaned_data", {})
        vouched = data.get("vouched")
        return MemberFilters(
            text=(data.get("text") or "").strip(),
            role=data.get("role") or "",
            vouched=None if not vouched else vouched == "yes",
            joined_since=data.get("joined_since"),
        )

    def folded_filters_in_use(self) -> bool:
        """Whether a filter folded under the search box is set or has an error to show: the
        page then opens the fold."""
        if self.is_bound and self.errors:
            return True
        filters = self.filters()
        return filters != MemberFilters(text=filters.text)


class JoinRequestFilterForm(forms.Form):
    """The search above an organiser's table of requests to join (a GET form)."""

    text = forms.CharField(required=False, max_length=100, label="Name")

    def text_searched(self) -> str:
        """The name searched for; "" when none was given or it was not valid."""
        return (self.cleaned_data.get("text") or "").strip() if self.is_valid() else ""


class JoinRequestDecisionForm(forms.Form):
    """A row action of the requests table: which request, and approve or decline."""

    request_id = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])


class AffiliationApplyForm(forms.Form):
    statement = forms.CharField(
        required=False,
        max_length=STATEMENT_LONGEST,
        label="Statement (optional)",
        help_text=(
            "A few lines for the network's coordinators: what the group does and why it wants "
            f"to join. At most {STATEMENT_LONGEST} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AffiliationDecisionForm(forms.Form):
    """A coordinator's decision: the button pressed (approve or decline) and, to decline, a
    reason for the group's organisers."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(
        required=False,
        max_length=REASON_LONGEST,
        label="Reason (needed to decline)",
        help_text="The group's organisers see it, on their page and by email.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", DECLINE_NEEDS_A_REASON)
        return data

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data["decision"] == "approve")


class ListingForm(forms.Form):
    """A member's choice to be on the group's member list, or not."""

    listed = forms.TypedChoiceField(
        choices=[("yes", "Listed"), ("no", "Not listed")], coerce=lambda v: v == "yes"
    )
