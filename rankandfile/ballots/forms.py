from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from rankandfile.ballots.models import RANKED_METHODS, Electorate, Method, Question, Threshold
from rankandfile.ballots.selectors import PaperQuestion
from rankandfile.ballots.services import MAX_QUESTIONS, QuestionInput, ballot_times_problems

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> reads and sends
YES_NO_CHOICES = [("yes", "Yes"), ("no", "No"), ("abstain", "Abstain")]


class VoteForm(forms.Form):
    """One field per yes/no or approval question and one number input per ranked candidate.

    The cleaned answers are in ``answers`` (the service's format); ``receipt_hash`` is made by
    ballot.js in the voter's browser.
    """

    receipt_hash = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, questions: Sequence[PaperQuestion], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.ranked_fields: dict[int, list[tuple[int, str]]] = {}
        for question in questions:
            prefix = f"q{question.position}"
            choices = question.choices
            if question.method == Method.YESNO:
                self.fields[prefix] = forms.ChoiceField(
                    label=f"Your answer to question {question.position}",
                    choices=YES_NO_CHOICES,
                    widget=forms.RadioSelect,
                )
            elif question.method == Method.APPROVAL:
                self.fields[prefix] = forms.TypedMultipleChoiceField(
                    label=f"Options for question {question.position}",
                    choices=list(choices),
                    coerce=int,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=f"Tick every option you approve of ({question.seats} to be chosen).",
                )
            else:
                names: list[tuple[int, str]] = []
                for position, choice_name in choices:
                    name = f"{prefix}_c{position}"
                    self.fields[name] = forms.IntegerField(
                        label=f"Rank for {choice_name}",
                        required=False,
                        min_value=1,
                        max_value=len(choices),
                        widget=forms.NumberInput(
                            attrs={"inputmode": "numeric", "class": "rank-input"}
                        ),
                    )
                    names.append((position, name))
                self.ranked_fields[question.position] = names

    def sections(self) -> list[tuple[PaperQuestion, list[forms.BoundField]]]:
        """Each question with its fields, in order, for the template."""
        out: list[tuple[PaperQuestion, list[forms.BoundField]]] = []
        for q in self.questions:
            if q.method in RANKED_METHODS:
                out.append((q, [self[name] for _, name in self.ranked_fields[q.position]]))
            else:
                out.append((q, [self[f"q{q.position}"]]))
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers: dict[str, Any] = {}
        for question in self.questions:
            key = str(question.position)
            if question.method == Method.YESNO:
                answers[key] = cleaned.get(f"q{key}")
            elif question.method == Method.APPROVAL:
                answers[key] = list(cleaned.get(f"q{key}") or [])
            else:
                ranks = {
                    position: cleaned.get(name)
                    for position, name in self.ranked_fields[question.position]
                }
                given = {p: r for p, r in ranks.items() if r is not None}
                expected = list(range(1, len(given) + 1))
                if sorted(given.values()) != expected:
                    self.add_error(
                        None,
                        f"{question.text}: number your choices 1, 2, 3… with no gaps and no "
                        "number used twice. Leave blank the candidates you do not rank.",
                    )
                    continue
                answers[key] = [p for p, _ in sorted(given.items(), key=lambda item: item[1])]
        cleaned["answers"] = answers
        return cleaned


class ReceiptLookupForm(forms.Form):
    code = forms.CharField(
        label="Receipt code",
        max_length=80,
        help_text="The code you were shown when you voted, for example 3f2a-9c1b-….",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class BallotForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    opens_at = forms.DateTimeField(
        label="Voting opens",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    closes_at = forms.DateTimeField(
        label="Voting closes",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    electorate = forms.ChoiceField(choices=Electorate.choices, widget=forms.RadioSelect)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes:
            problems = ballot_times_problems(opens_at=opens, closes_at=closes)
            for field, message in problems.items():
                self.add_error(field, message)
        return cleaned


class QuestionForm(forms.Form):
    """One question of a ballot; a question left without text is ignored."""

    text = forms.CharField(label="Question", max_length=500, required=False)
    method = forms.ChoiceField(label="Counting method", choices=Method.choices)
    choices = forms.CharField(
        label="Candidates or options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. Leave empty for a yes/no question.",
    )
    seats = forms.IntegerField(label="Seats or winners", min_value=1, initial=1)
    quorum = forms.IntegerField(
        label="Quorum (yes/no: ballots needed)", min_value=0, initial=0, required=False
    )
    threshold = forms.ChoiceField(label="Majority (yes/no)", choices=Threshold.choices)
    remove = forms.BooleanField(label="Remove this question", required=False)

    def marked_removed(self) -> bool:
        """Whether the member ticked "Remove this question": the row is then left out unread."""
        return self.is_bound and self["remove"].value() is True

    def question_input(self) -> QuestionInput | None:
        data = self.cleaned_data
        if not data.get("text", "").strip():
            return None
        names = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        return QuestionInput(
            text=data["text"],
            method=data["method"],
            choices=names,
            seats=data["seats"],
            quorum=data.get("quorum") or 0,
            threshold=data["threshold"],
        )


def question_rows_count(data: Any) -> int:
    """How many question rows the page sent: ``q1``, ``q2``… up to the first missing one (every
    row sends its method), at least 1 and at most the cap."""
    count = 0
    while count < MAX_QUESTIONS and f"q{count + 1}-method" in data:
        count += 1
    return max(count, 1)


def question_rows_as_sent(data: Any, count: int) -> list[dict[str, object]]:
    """The values of each question row as the page sent them, to show them again unchecked
    (after "Add a question", which saves nothing); rows ticked for removal are left out."""
    rows = [
        {name: data.get(f"q{n}-{name}", "") for name in QuestionForm.base_fields}
        for n in range(1, count + 1)
    ]
    return [row for row in rows if not row["remove"]]


def question_rows_of(questions: list[Question]) -> list[dict[str, object]]:
    """The rows of a saved ballot's questions, to edit them."""
    return [
        {
            "text": q.text,
            "method": q.method,
            "choices": "\n".join(c.name for c in q.choices.all()),
            "seats": q.seats,
            "quorum": q.quorum,
            "threshold": q.threshold,
        }
        for q in questions
    ]
