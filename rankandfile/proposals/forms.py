from __future__ import annotations

from django import forms

from rankandfile.lib.forms import ButtonForm
from rankandfile.lib.markdown import COMMENT_LONGEST, PROPOSAL_LONGEST

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
