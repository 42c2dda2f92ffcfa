from __future__ import annotations

from typing import Any

from django import forms

from rankandfile.events.models import EventVisibility
from rankandfile.events.services import DESCRIPTION_LONGEST, EventDetails, SessionDetails

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> reads and sends
LONDON_HELP = "London time (the clocks' change to and from summer time is allowed for)."
MARKDOWN_HELP = (
    "Markdown: a blank line between paragraphs, *italic*, **bold**, - for a list, "
    "[words](https://example.org) for a link. HTML is shown as typed, not used."
)


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=LONDON_HELP,
    )


class EventForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=DESCRIPTION_LONGEST * 2,
        help_text=MARKDOWN_HELP,
    )
    starts_at = _when("Starts")
    ends_at = _when("Ends")
    in_person = forms.BooleanField(required=False, label="In person")
    district = forms.CharField(
        max_length=20,
        required=False,
        label="Postcode district of the venue",
        help_text="For example M1 or LS6. Everyone who can see the event sees it.",
    )
    venue = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        label="Venue address",
        help_text="Shown only to members with a place.",
    )
    online = forms.BooleanField(required=False, label="Online")
    meeting_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Meeting link",
        help_text="Starting with https://. Shown only to members with a place.",
    )
    capacity = forms.IntegerField(min_value=1, max_value=100_000, label="Places")
    visibility = forms.ChoiceField(
        choices=EventVisibility.choices,
        widget=forms.RadioSelect,
        initial=EventVisibility.PUBLIC,
        label="Who can see it",
        help_text="A hidden group's events are seen only by its members, whatever is chosen.",
    )

    def details(self) -> EventDetails:
        data = self.cleaned_data
        return EventDetails(
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            in_person=data["in_person"],
            district=data["district"],
            venue=data["venue"],
            online=data["online"],
            meeting_url=data["meeting_url"],
            capacity=data["capacity"],
            visibility=data["visibility"],
        )


def event_initial(event: Any) -> dict[str, Any]:
    return {
        name: getattr(event, name)
        for name in (
            "title",
            "description",
            "starts_at",
            "ends_at",
            "in_person",
            "district",
            "venue",
            "online",
            "meeting_url",
            "capacity",
            "visibility",
        )
    }


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = _when("Starts")
    ends_at = _when("Ends")
    room = forms.CharField(
        max_length=200, required=False, help_text="Shown only to members with a place."
    )
    meeting_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Meeting link",
        help_text="Starting with https://. Shown only to members with a place.",
    )
    capacity = forms.IntegerField(min_value=1, max_value=100_000, label="Places")
    ballot = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Ballot decided in this session"
    )
    motion = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Motion debated in this session"
    )

    def __init__(
        self,
        *args: Any,
        ballots: list[tuple[int, str]],
        motions: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        none: list[tuple[Any, str]] = [("", "None")]
        self.fields["ballot"].choices = none + ballots  # type: ignore[attr-defined]
        self.fields["motion"].choices = none + motions  # type: ignore[attr-defined]

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            room=data["room"],
            meeting_url=data["meeting_url"],
            capacity=data["capacity"],
            ballot_id=data["ballot"],
            motion_id=data["motion"],
        )
