"""The download holds every personal field the database has for the member, and nothing about
any other member (issue 21: "a test walks the models' fields").

The walk: every concrete model of the project's apps; every field of it that can hold a
member's personal data (a foreign key to the member, an encrypted field, every field of the
member's own row, and the fields named in ``PERSONAL``) is either read into the document
(``privacy.export_document.EXPORTED``, and then a member with data in every such model finds
their rows there) or listed in ``NOT_EXPORTED`` below with the reason. A new model with a
foreign key to the member and no row in either fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from rankandfile.accounts.models import User
from rankandfile.lib.fields import EncryptedTextField
from rankandfile.opinions.models import Conversation, Participant, Vote
from rankandfile.opinions.services import member_key
from rankandfile.privacy.export_document import EXPORTED, member_data
from tests.personas import MakeGroup, MakeMember
from tests.privacy.everything import everything_else
from tests.privacy.world import member_in_every_app

# Fields that hold a member's personal data without being a foreign key to them or encrypted.
PERSONAL: dict[str, str] = {
    "opinions.Participant.member_key": "a keyed hash of the member's id: their votes while a "
    "conversation is open",
    "groups.Invitation.email_digest": "a keyed hash of the invited person's address",
    "campaigns.Pledge.amount_pence": "what the member pledged",
    "campaigns.Pledge.area": "where the member pledged from",
    "campaigns.Pledge.verified": "whether the member's pledge was verified",
    "campaigns.Pledge.confirmed_done": "whether the member said they acted",
    "ballots.BallotPaper.receipt_hash": "a voter's receipt",
    "ballots.BallotPaper.contents": "a voter's choices",
    "notifications.Message.context": "what an email said, which may name other members",
    "notifications.MemberImport.rows": "the people in an uploaded member list",
}

# What the document leaves out, and why.
NOT_EXPORTED: dict[str, str] = {
    "accounts.User.id": "the document holds no database ids (so it holds no other member's)",
    "accounts.User.password": "a hash of the password: a secret, and useless to the member",
    "accounts.User.email_digest": "a keyed hash of the email for log-in look-ups; the email "
    "itself is exported",
    "accounts.User.postcode_district_digest": "a keyed hash of the district for matching; the "
    "district itself is exported",
    "groups.Invitation.email_digest": "the invited person's address (as a digest): someone "
    "else's data; the invitations the member sent are exported without it",
    "introductions.Introduction.decided_by": "who answered an introduction: when it is the "
    "member, it is their own introduction (exported) or their answer (exported as their "
    "side of it); otherwise it is another member",
    "introductions.Introduction.withdrawn_by": "who withdrew an introduction: as decided_by",
    "campaigns.Pledge.amount_pence": "pledges are exported only as “you pledged to …” (a pledge "
    "is secret: SECURITY.md)",
    "campaigns.Pledge.area": "as amount_pence",
    "campaigns.Pledge.verified": "as amount_pence",
    "campaigns.Pledge.confirmed_done": "as amount_pence",
    "ballots.BallotPaper.receipt_hash": "the ballot box is linked to nobody; a receipt in a "
    "download would link a ballot to its voter. Ballots are exported only as “you voted in …”",
    "ballots.BallotPaper.contents": "as receipt_hash",
    "notifications.Message.context": "an email's context may name other members (an "
    "introduction's asker); the emails themselves are listed, by kind and date",
    "notifications.MemberImport.rows": "other people's names and addresses",
    "privacy.DataExport.member": "the download itself: it is the document",
    "privacy.DataExport.document": "the download itself",
}

OTHER_EMAIL = "olly.other@example.org"
OTHER_NAME = "Olly Otherperson"
OTHER_DISTRICT = "ZE3"


def _label(model: type[models.Model], field: models.Field[Any, Any]) -> str:
    return f"{model._meta.label}.{field.name}"


def _project_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if model.__module__.startswith("rankandfile.") and not model._meta.proxy:
            yield model


def _is_member_key(field: models.Field[Any, Any]) -> bool:
    return field.is_relation and field.related_model is User


def personal_fields() -> dict[str, tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every field of the project's models that can hold a member's personal data."""
    found = {}
    for model in _project_models():
        for field in model._meta.concrete_fields:
            label = _label(model, field)
            if (
                model is User
                or _is_member_key(field)
                or isinstance(field, EncryptedTextField)
                or label in PERSONAL
            ):
                found[label] = (model, field)
    return found


def test_every_personal_field_is_exported_or_left_out_with_a_reason() -> None:
    fields = personal_fields()
    assert "proposals.Comment.author" in fields and "accounts.User.email" in fields
    undecided = fields.keys() - EXPORTED.keys() - NOT_EXPORTED.keys()
    assert undecided == set(), (
        "export these fields (privacy/export_document.py, EXPORTED), or say in NOT_EXPORTED why not"
    )
    assert EXPORTED.keys() & NOT_EXPORTED.keys() == set()
    assert (EXPORTED.keys() | NOT_EXPORTED.keys()) - fields.keys() == set(), "gone: unlist them"
    assert all(NOT_EXPORTED.values()), "every field left out says why"


def _keys(document: Any) -> Iterator[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from _keys(value)
    elif isinstance(document, list):
        for value in document:
            yield from _keys(value)


def _rows_of(member: User, model: type[models.Model], field: models.Field[Any, Any]) -> Any:
    """The member's rows of a model, found through the field itself or, for an encrypted field,
    through the model's exported foreign key to the member."""
    if model is User:
        return User.objects.filter(pk=member.pk)
    if model is Participant:
        keys = [
            member_key(conversation_id=pk, member_id=member.pk)
            for pk in Conversation.objects.values_list("pk", flat=True)
        ]
        return Participant.objects.filter(member_key__in=keys)
    if _is_member_key(field):
        return model._default_manager.filter(**{field.name: member})
    owner = next(
        f for f in model._meta.concrete_fields if _is_member_key(f) and _label(model, f) in EXPORTED
    )
    return model._default_manager.filter(**{owner.name: member})


@pytest.mark.django_db
def test_the_download_holds_every_exported_field_of_the_member_and_nothing_of_another(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = member_in_every_app(make_member, make_group)
    other = member_in_every_app(
        make_member, make_group, email=OTHER_EMAIL, name=OTHER_NAME, district=OTHER_DISTRICT
    )
    everything_else(world, other)
    everything_else(other, world)
    member = User.objects.get(pk=world.member.pk)

    document = member_data(member)
    text = json.dumps(document, ensure_ascii=False)

    fields = personal_fields()
    without_rows = [label for label in EXPORTED if not _rows_of(member, *fields[label]).exists()]
    assert not without_rows, (
        f"give the member these rows (tests/privacy/everything.py): {without_rows}"
    )
    for label, section in EXPORTED.items():
        model, field = fields[label]
        assert document.get(section), f"{label}: the section {section!r} is empty"
        rows = _rows_of(member, model, field)
        if model is Participant:
            votes = Vote.objects.filter(participant__in=rows).count()
            assert len(document[section]) == votes, label
        elif _is_member_key(field):
            assert len(document[section]) == rows.count(), label
        if isinstance(field, EncryptedTextField):
            values = [value for value in rows.values_list(field.name, flat=True) if value]
            assert values, f"{label}: give the member a value for it"
            for value in values:
                assert value in text, f"{label}: {value!r} is not in the download"

    for mine in (member.email, member.display_name, member.postcode_district):
        assert mine in text
    for theirs in (OTHER_EMAIL, OTHER_NAME, OTHER_DISTRICT, world.organiser.display_name):
        assert theirs.lower() not in text.lower(), f"{theirs} is in the member's download"
    ids = [key for key in _keys(document) if key == "id" or key.endswith("_id")]
    assert ids == [], "the download holds no database ids (nor another member's)"
