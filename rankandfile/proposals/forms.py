from __future__ import annotations

from django import forms

from rankandfile.lib.forms import ButtonForm
from rankandfile.lib.markdown import COMMENT_LONGEST, PROPOSAL_LONGEST
from rankandfile.proposals.models import ThresholdKind

MARKDOWN_HELP = (
    "Markdown: a blank line between paragraphs, *italic*, **bold**, - for a list, "
    "[words](https://example.org) for a link. HTML is shown as typed, not used."
)

# Browsers count a line break as one character and the server as two ("\r\n"): the limits
# are checked by the services (lib.markdown), with a message; these only stop a megabyte.
_SLACK = 2


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=PROPOSAL_LONGEST * _SLACK,
        help_text=MARKDOWN_HELP,
        label="Text of the proposal",
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT_LONGEST * _SLACK,
        label="Your comment",
        help_text=MARKDOWN_HELP,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AmendmentForm(forms.Form):
    proposed_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=PROPOSAL_LONGEST * _SLACK,
        label="The text as you would amend it",
        help_text="Change only what your amendment is about: the rest stays as it is. "
        + MARKDOWN_HELP,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT_LONGEST * _SLACK,
        required=False,
        label="Why (optional)",
    )


class SupportForm(ButtonForm):
    support = forms.ChoiceField(choices=[("yes", "Support"), ("no", "Withdraw support")])


class ProposalSettingsForm(forms.Form):
    threshold_kind = forms.ChoiceField(
        choices=ThresholdKind.choices,
        widget=forms.RadioSelect,
        label="A proposal goes to a ballot when it has the support of",
    )
    threshold_people = forms.IntegerField(
        min_value=1, max_value=100_000, label="Number of members (if you chose a number)"
    )
    threshold_percent = forms.IntegerField(
        min_value=1, max_value=100, label="Percentage of the group's members (if you chose one)"
    )
    support_days = forms.IntegerField(
        min_value=1, max_value=365, label="Days a proposal has to gather its supporters"
    )
    ballot_days = forms.IntegerField(min_value=1, max_value=60, label="Days voting stays open")
