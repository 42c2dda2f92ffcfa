"""Forms of the nominations pages; the rules themselves are checked by ``ballots.nominations``."""

from __future__ import annotations

from django import forms

from rankandfile.ballots.forms import DATETIME_LOCAL
from rankandfile.ballots.models import STV_METHODS, Method
from rankandfile.ballots.nominations import STATEMENT_LONGEST, STATEMENT_WORDS

STATEMENT_HELP = (
    f"At most {STATEMENT_WORDS} words, shown to the members on the nominations page and the "
    "ballot. Markdown: a blank line between paragraphs, *italic*, **bold**, - for a list. "
    "HTML is shown as typed, not used."
)


class NominationPeriodForm(forms.Form):
    post = forms.CharField(
        max_length=200, label="The post", help_text="Such as “Branch secretary”."
    )
    seats = forms.IntegerField(min_value=1, max_value=50, initial=1, label="Seats to fill")
    seconders_needed = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=2,
        label="Seconders each nomination needs",
        help_text="Members other than the nominee and the member who nominated them.",
    )
    closes_at = forms.DateTimeField(
        label="Nominations close",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="Then the ballot opens at once with the candidates in a random order.",
    )
    voting_days = forms.IntegerField(
        min_value=1, max_value=90, initial=7, label="Days voting stays open"
    )
    method = forms.ChoiceField(
        choices=[(m.value, Method(m).label) for m in STV_METHODS],
        initial=Method.SCOTTISH_STV,
        widget=forms.RadioSelect,
        label="Counting rules",
    )


class NominateForm(forms.Form):
    nominee = forms.TypedChoiceField(coerce=int, label="Member to nominate")

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["nominee"].choices = [("", "Choose a member"), *choices]  # type: ignore[attr-defined]


class StatementForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=STATEMENT_LONGEST * 2,
        label="Your statement",
        help_text=STATEMENT_HELP,
    )
