from __future__ import annotations

from typing import Any

from django import forms

from rankandfile.accounts.models import IssueTag, User
from rankandfile.groups.models import Group
from rankandfile.lib.forms import ButtonForm
from rankandfile.resources import selectors
from rankandfile.resources.files import ACCEPTED_DESCRIPTION
from rankandfile.resources.models import COLLECTION_KINDS, Audience, Resource, ResourceKind
from rankandfile.resources.services import ARTICLE_LONGEST, ResourceDraft

MARKDOWN_HELP = (
    "Markdown: a blank line between paragraphs, *italic*, **bold**, - for a list, "
    "[words](https://example.org) for a link. HTML is shown as typed, not used."
)
# Browsers count a line break as one character and the server as two: the services check the
# limits, with a message; these only stop a megabyte.
_SLACK = 2


class SearchForm(forms.Form):
    q = forms.CharField(label="Words to look for", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *ResourceKind.choices]
    )
    issue = forms.ChoiceField(label="Issue", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issues = [(tag.slug, tag.name) for tag in IssueTag.objects.order_by("name")]
        issue_field = self.fields["issue"]
        assert isinstance(issue_field, forms.ChoiceField)
        issue_field.choices = [("", "Any issue"), *issues]


class ResourceForm(forms.Form):
    """The contribution form; its fields depend on the kind of resource."""

    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences shown in the hub's list (optional).",
    )
    body = forms.CharField(
        label="Text of the article",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=ARTICLE_LONGEST * _SLACK,
        help_text=MARKDOWN_HELP,
    )
    url = forms.CharField(
        label="Address (starting with https://)",
        max_length=500,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    upload = forms.FileField(
        label="The file",
        help_text=f"Accepted: {ACCEPTED_DESCRIPTION}.",
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        required=False,
        empty_label="The whole network",
        label="For which group",
        help_text="A group's resources are approved by its organisers; the network's by its "
        "coordinators.",
    )
    audience = forms.ChoiceField(
        label="Who may read it", choices=Audience.choices, widget=forms.RadioSelect
    )
    issues = forms.ModelMultipleChoiceField(
        queryset=IssueTag.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Issues it is about",
    )

    def __init__(self, *args: Any, kind: str, member: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("audience", Audience.PUBLIC)
        super().__init__(*args, **kwargs)
        self.kind = kind
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = selectors.groups_to_contribute_to(member)
        if kind in COLLECTION_KINDS:
            self.fields["body"].label = "Introduction"
            self.fields["body"].required = False
            self.fields["body"].max_length = 5_000 * _SLACK  # type: ignore[attr-defined]
            self.fields[
                "body"
            ].help_text = f"Optional. {MARKDOWN_HELP} You add resources to it from their pages."
        elif kind != ResourceKind.ARTICLE:
            del self.fields["body"]
        if kind == ResourceKind.VIDEO:
            self.fields["url"].label = "Address of the video (starting with https://)"
            self.fields["url"].help_text = "It is shown as a link, never played on this site."
        elif kind != ResourceKind.LINK:
            del self.fields["url"]
        if kind != ResourceKind.FILE:
            del self.fields["upload"]

    def draft(self) -> ResourceDraft:
        data = self.cleaned_data
        return ResourceDraft(
            kind=self.kind,
            title=data["title"],
            summary=data.get("summary", ""),
            body=data.get("body", ""),
            url=data.get("url", ""),
            group=data.get("group"),
            audience=data["audience"],
            issues=data.get("issues") or [],
        )


class ModerateForm(ButtonForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])


class HelpfulForm(ButtonForm):
    helpful = forms.ChoiceField(choices=[("yes", "Helpful"), ("no", "Not helpful")])


class CollectForm(forms.Form):
    collection: forms.ModelChoiceField[Resource] = forms.ModelChoiceField(
        queryset=Resource.objects.none(),
        label="Add it to my reading list or toolkit",
        empty_label=None,
    )

    def __init__(self, *args: Any, member: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["collection"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.collections_of(member)


class ItemForm(ButtonForm):
    action = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down"), ("remove", "Remove")])
