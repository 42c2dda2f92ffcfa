from __future__ import annotations

from django import forms


class AccountDeleteForm(forms.Form):
    """The confirmation of "Delete my account", and what becomes of what the member wrote."""

    contributions = forms.ChoiceField(
        choices=[
            ("keep", "Keep them, shown as written by “a former member”"),
            ("delete", "Delete them"),
        ],
        initial="keep",
        widget=forms.RadioSelect,
        label="Your comments and conversation statements",
        help_text=(
            "Statements others have already voted on, proposals and amendments always stay, "
            "under “a former member”: the group's record and its votes depend on them."
        ),
    )
    understood = forms.BooleanField(
        label="I understand that my account and my personal data are deleted at once and for good",
        error_messages={
            "required": "Tick the box to confirm that you want to delete your account."
        },
    )
