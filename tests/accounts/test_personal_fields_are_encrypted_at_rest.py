"""Members' email, display name and district are encrypted at rest; log-in by email still
works through the keyed digest; keys rotate in resumable batches; production needs its keys.

allauth's own ``account_emailaddress.email`` stays plaintext: allauth looks addresses up in
that table for log-in, verification and password reset, and cannot work without it. The raw
read below says so: it finds the email there and nowhere else.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import User
from rankandfile.lib import crypto
from rankandfile.lib.encrypted_rows import encrypted_tables, reencrypt_table
from rankandfile.notifications.models import (
    MemberImport,
    Message,
    MessageClass,
    MessageStatus,
)
from rankandfile.notifications.services import message_enqueue
from tests.personas import MakeGroup, MakeMember, signup_form
from tests.site.test_production_settings import PRODUCTION, _manage

EMAIL = "zanzibar.quetzal@example.org"
NAME = "Xylophone Wombat"
DISTRICT = "ZE3"  # a real district (Shetland), unlike any other test value
# Someone in an uploaded member list, in no other table.
IMPORTED_EMAIL = "quillon.marmoset@example.org"
IMPORTED_NAME = "Ptarmigan Vellum"

KEY_A = "cmFua2FuZGZpbGUtdGVzdC1rZXktYS0tLS0tLS0tLS0="
KEY_B = "cmFua2FuZGZpbGUtdGVzdC1rZXktYi0tLS0tLS0tLS0="


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        value: str = cursor.fetchone()[0]
    return value


def _raw_json(column: str, pk: int) -> Any:
    """A member import's column as plain JSON: text on SQLite, decoded jsonb on PostgreSQL."""
    value: Any = _raw("notifications_memberimport", column, pk)
    return json.loads(value) if isinstance(value, str) else value


def _pending_import(organiser: User, group_maker: MakeGroup) -> MemberImport:
    """An uploaded CSV waiting for its organiser's confirmation, naming the member and another
    person by email, name and district."""
    return MemberImport.objects.create(
        group=group_maker(organiser=organiser),
        organiser=organiser,
        encoding="utf-8",
        header=["Email", "Full name", "Postcode"],
        rows=[[2, [EMAIL, NAME, DISTRICT]], [3, [IMPORTED_EMAIL, IMPORTED_NAME, "ZE2"]]],
        mapping={"email": 0},
        expires_at=timezone.now() + timedelta(days=1),
    )


def _sign_up(client: Client) -> User:
    form = signup_form(EMAIL.upper(), display_name=NAME, postcode_district=DISTRICT.lower())
    response = client.post(reverse("account_signup"), form)
    assert response.status_code == 302
    return User.objects.get(email=EMAIL)


@pytest.mark.django_db
def test_signed_up_member_is_stored_encrypted_and_read_back_in_clear(client: Client) -> None:
    member = _sign_up(client)
    assert (member.email, member.display_name, member.postcode_district) == (EMAIL, NAME, DISTRICT)
    for column in ("email", "display_name", "postcode_district"):
        assert _raw("accounts_user", column, member.pk).startswith("enc1:")
    # Log-in look-ups go by digest, whatever the case typed.
    assert User.objects.get(email__iexact=EMAIL.title()) == member
    assert list(User.objects.filter(email__in=[EMAIL, "other@example.org"])) == [member]
    assert list(User.objects.filter(postcode_district=DISTRICT)) == [member]


@pytest.mark.django_db
def test_an_encrypted_field_refuses_lookups_it_cannot_answer() -> None:
    with pytest.raises(FieldError, match="encrypted"):
        list(User.objects.filter(display_name__icontains="x"))
    with pytest.raises(FieldError, match="encrypted"):
        list(User.objects.filter(email__startswith="x"))


@pytest.mark.django_db
def test_the_same_email_cannot_be_registered_twice_in_another_case(
    make_member: MakeMember,
) -> None:
    from django.db import IntegrityError, transaction

    make_member(email="twice@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("TWICE@example.org", "a long enough passphrase")


@pytest.mark.django_db(transaction=True)
def test_a_raw_read_of_the_database_shows_no_members_email_name_or_district(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = _sign_up(client)
    assert EmailAddress.objects.filter(user=member, email=EMAIL).exists()
    # Unsent messages wait in the outbox: the confirmation email (its address, and its text,
    # which names the address), and a message to another member that names this one.
    message_enqueue(
        key="test:names-the-member",
        kind=MessageClass.SERVICE,
        recipient=make_member(),
        template="introduction_accepted",
        context={"other_name": NAME, "what": f"someone near {DISTRICT}"},
    )
    unsent = Message.objects.filter(status=MessageStatus.QUEUED)
    assert sorted(unsent.values_list("template", flat=True)) == [
        "account_email",
        "introduction_accepted",
    ]
    assert EMAIL in unsent.get(template="account_email").context["text"]
    for message in unsent:
        assert _raw("notifications_message", "context", message.pk).startswith("enc1:")
    # A member list uploaded by an organiser, not yet confirmed, names this member and another.
    pending = _pending_import(make_member(mfa=True), make_group)
    for column in ("header", "rows"):
        assert _raw("notifications_memberimport", column, pending.pk).startswith("enc1:")
    assert MemberImport.objects.get(pk=pending.pk).rows[1] == [
        3,
        [IMPORTED_EMAIL, IMPORTED_NAME, "ZE2"],
    ]
    secrets = [EMAIL.encode(), NAME.encode(), DISTRICT.encode()]
    secrets += [IMPORTED_EMAIL.encode(), IMPORTED_NAME.encode()]
    if connection.vendor == "sqlite":
        raw = connection.connection.serialize()
        # The email is in allauth's address table (and its index), which must stay plaintext.
        assert EMAIL.encode() in raw
        copy = sqlite3.connect(":memory:")
        copy.deserialize(raw)
        copy.execute("DROP TABLE account_emailaddress")
        copy.commit()
        copy.execute("VACUUM")
        without_allauth = copy.serialize()
        copy.close()
        for secret in secrets:
            assert secret not in without_allauth, secret
        for secret in secrets[1:]:
            assert secret not in raw, secret
        return
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    db = connection.settings_dict

    def dump(*args: str) -> bytes:
        env = os.environ | {"PGPASSWORD": db.get("PASSWORD") or ""}
        command = [pg_dump, "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432)]
        command += ["-U", db["USER"], *args, db["NAME"]]
        return subprocess.run(command, capture_output=True, check=True, env=env).stdout

    whole = dump()
    assert EMAIL.encode() in whole  # in allauth's account_emailaddress only, as below
    without_allauth = dump("--exclude-table-data=account_emailaddress")
    for secret in secrets:
        assert secret not in without_allauth, secret
    for secret in secrets[1:]:
        assert secret not in whole, secret


@pytest.mark.django_db
def test_rotate_keys_reencrypts_every_row_under_the_first_key_and_can_resume(
    settings: Settings, make_member: MakeMember, make_group: MakeGroup
) -> None:
    lookup = crypto.DEVELOPMENT_LOOKUP_HASH_KEY
    settings.FIELD_ENCRYPTION = crypto.Keyring.from_texts([KEY_A], lookup)
    members = [make_member(email=f"rotate{n}@example.org", district="LS6") for n in range(5)]
    pending = _pending_import(members[0], make_group)
    old = crypto.key_id(crypto.parse_key(KEY_A))
    new = crypto.key_id(crypto.parse_key(KEY_B))
    assert {crypto.stored_key_id(_raw("accounts_user", "email", m.pk)) for m in members} == {old}

    settings.FIELD_ENCRYPTION = crypto.Keyring.from_texts([KEY_B, KEY_A], lookup)
    users = next(t for t in encrypted_tables() if t.name == "accounts_user")

    # Interrupted after its first batch of two rows...
    class Interrupted(Exception):
        pass

    def stop(*args: object) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        reencrypt_table(connection, users, batch_size=2, progress=stop)
    under = [crypto.stored_key_id(_raw("accounts_user", "email", m.pk)) for m in members]
    assert under.count(new) == 2

    # ...and run again: the two rows done are skipped, the rest (and other tables) are done.
    out = StringIO()
    call_command("rotate_keys", batch_size=2, stdout=out)
    assert f"Encrypting under key {new}" in out.getvalue()
    assert "accounts_user: 2 rows read, 0 re-encrypted" in out.getvalue()
    assert "accounts_user: 5 rows read, 3 re-encrypted" in out.getvalue()
    for m in members:
        for column in ("email", "display_name", "postcode_district"):
            assert crypto.stored_key_id(_raw("accounts_user", column, m.pk)) == new
    assert "notifications_memberimport: 1 rows read, 1 re-encrypted" in out.getvalue()
    for column in ("header", "rows"):
        assert crypto.stored_key_id(_raw("notifications_memberimport", column, pending.pk)) == new

    # Nothing is left under the old key: with only the new key every member still reads, and
    # so does the pending import.
    settings.FIELD_ENCRYPTION = crypto.Keyring.from_texts([KEY_B], lookup)
    assert User.objects.get(email="rotate3@example.org").postcode_district == "LS6"
    assert MemberImport.objects.get(pk=pending.pk).rows[1][1][0] == IMPORTED_EMAIL
    again = StringIO()
    call_command("rotate_keys", stdout=again)
    assert "Done: 0 rows re-encrypted." in again.getvalue()


@pytest.mark.django_db
def test_a_value_under_a_key_no_longer_listed_is_an_error_not_garbage(
    settings: Settings, make_member: MakeMember
) -> None:
    lookup = crypto.DEVELOPMENT_LOOKUP_HASH_KEY
    settings.FIELD_ENCRYPTION = crypto.Keyring.from_texts([KEY_A], lookup)
    member = make_member(email="lost@example.org")
    settings.FIELD_ENCRYPTION = crypto.Keyring.from_texts([KEY_B], lookup)
    with pytest.raises(crypto.DecryptionError, match="does not list"):
        User.objects.get(pk=member.pk)


def test_production_refuses_to_start_without_its_encryption_keys() -> None:
    without = {k: v for k, v in PRODUCTION.items() if k not in {"FIELD_ENCRYPTION_KEYS"}}
    result = _manage("check", **without)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS and LOOKUP_HASH_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_starts_with_keys_given_as_files(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "keys").write_text(f"{KEY_B},{KEY_A}\n")
    (folder / "lookup").write_text("a lookup key long enough\n")
    env = {
        k: v for k, v in PRODUCTION.items() if k not in {"FIELD_ENCRYPTION_KEYS", "LOOKUP_HASH_KEY"}
    }
    env |= {
        "FIELD_ENCRYPTION_KEYS_FILE": str(folder / "keys"),
        "LOOKUP_HASH_KEY_FILE": str(folder / "lookup"),
    }
    result = _manage("check", **env)
    assert result.returncode == 0, result.stderr
    assert "development keys" not in result.stdout + result.stderr


def test_development_says_it_uses_the_fixed_keys() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", "check"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in PRODUCTION},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fixed development keys" in result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_its_reverse_decrypts_them(
    make_member: MakeMember,
) -> None:
    members = [make_member(email=f"Existing{n}@example.org", district="LS6") for n in range(3)]
    call_command("migrate", "accounts", "0005", verbosity=0)
    try:
        assert _raw("accounts_user", "email", members[1].pk) == "existing1@example.org"
        assert _raw("accounts_user", "display_name", members[1].pk) == members[1].display_name
        assert _raw("accounts_user", "postcode_district", members[1].pk) == "LS6"
    finally:
        call_command("migrate", verbosity=0)  # every app: going back unapplied the dependents too
    for column in ("email", "display_name", "postcode_district"):
        assert _raw("accounts_user", column, members[1].pk).startswith("enc1:")
    assert User.objects.get(email="EXISTING2@example.org") == members[2]
    assert User.objects.filter(postcode_district="LS6").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_import_migration_encrypts_pending_imports_and_its_reverse_decrypts_them(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    pending = _pending_import(make_member(mfa=True), make_group)
    empty = MemberImport.objects.create(
        group=pending.group,
        organiser=pending.organiser,
        encoding="utf-8",
        expires_at=pending.expires_at,
    )
    assert _raw("notifications_memberimport", "rows", empty.pk) == ""
    call_command("migrate", "notifications", "0006", verbosity=0)
    try:
        assert _raw_json("header", pending.pk) == ["Email", "Full name", "Postcode"]
        assert _raw_json("rows", pending.pk)[1] == [3, [IMPORTED_EMAIL, IMPORTED_NAME, "ZE2"]]
        assert _raw_json("rows", empty.pk) == []
    finally:
        call_command("migrate", verbosity=0)  # every app: going back unapplied the dependents too
    for column in ("header", "rows"):
        assert _raw("notifications_memberimport", column, pending.pk).startswith("enc1:")
        assert _raw("notifications_memberimport", column, empty.pk) == ""
    again = MemberImport.objects.get(pk=pending.pk)
    assert again.header == ["Email", "Full name", "Postcode"]
    assert again.rows[0] == [2, [EMAIL, NAME, DISTRICT]]
    assert MemberImport.objects.get(pk=empty.pk).rows == []
    assert list(MemberImport.objects.filter(rows=[])) == [MemberImport.objects.get(pk=empty.pk)]
