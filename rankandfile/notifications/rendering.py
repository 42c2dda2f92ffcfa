"""Turning an outbox row into an email: templates, Message-ID and unsubscribe headers."""

from __future__ import annotations

import binascii
import email.policy
import hashlib
from email.header import Header
from email.policy import Policy
from email.utils import formatdate
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.notifications.models import Message, MessageClass

_UNSUBSCRIBE_SALT = "rankandfile.notifications.unsubscribe"


def _header_line(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"The {name} header may not contain a line break.")
    if value.isascii() and len(name) + len(value) < 996:
        return f"{name}: {value}"
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode()}"


def _quoted_printable(text: str) -> str:
    return binascii.b2a_qp(text.encode(), istext=True).decode("ascii")


class PrebuiltMime:
    """The little of ``email.message.Message`` that Django's mail backends use."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def as_bytes(self, *args: object, **kwargs: object) -> bytes:
        return self.data

    def get_charset(self) -> None:
        return None


class OutboxEmail(EmailMultiAlternatives):
    """A Django email whose MIME text is written directly, not by the ``email`` package.

    Django 6.1 builds messages with the email package's modern API, and even its compat32 API
    refolds every header through ``Header``: together several milliseconds per message, which is
    the whole budget when a deadline sends a thousand messages a second. The outbox only ever
    sends one shape (text plus one HTML alternative, UTF-8, quoted-printable, no attachments,
    Cc or Bcc), which is a few lines to write. Non-ASCII or long header values still go through
    ``email.header.Header``; the tests parse every kind with the standard library's parser.
    """

    def message(self, *, policy: Policy = email.policy.default) -> PrebuiltMime:  # type: ignore[override]
        boundary = "=_outbox_" + hashlib.sha256(str(self.extra_headers).encode()).hexdigest()[:24]
        headers = {
            "Subject": str(self.subject),
            "From": str(self.from_email),
            "To": ", ".join(self.to),
            "Date": formatdate(usegmt=True),
            **self.extra_headers,
            "MIME-Version": "1.0",
            "Content-Type": f'multipart/alternative; boundary="{boundary}"',
        }
        lines = [_header_line(name, str(value)) for name, value in headers.items()]
        bodies = [("plain", str(self.body))]
        bodies += [("html", str(alternative[0])) for alternative in self.alternatives]
        for subtype, content in bodies:
            lines += [
                "",
                f"--{boundary}",
                f'Content-Type: text/{subtype}; charset="utf-8"',
                "Content-Transfer-Encoding: quoted-printable",
                "",
                _quoted_printable(content),
            ]
        lines += [f"--{boundary}--", ""]
        text = "\n".join(lines).replace("\r\n", "\n")
        return PrebuiltMime(text.replace("\n", policy.linesep).encode("ascii"))


@cache
def _path_prefixes() -> tuple[str, str]:
    placeholder = "TOKEN"
    unsubscribe = reverse("notifications:unsubscribe", kwargs={"token": placeholder})
    return reverse("notifications:preferences"), unsubscribe.removesuffix(f"{placeholder}/")


def unsubscribe_token(member_id: int) -> str:
    """A signed token naming one member; it does not expire (old emails must keep working)."""
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(str(member_id))


def member_id_for_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_url(member_id: int) -> str:
    return f"{settings.SITE_ROOT}{_path_prefixes()[1]}{unsubscribe_token(member_id)}/"


def message_id_domain() -> str:
    configured: str = getattr(settings, "NOTIFICATIONS_MESSAGE_ID_DOMAIN", "")
    return configured or urlsplit(settings.SITE_ROOT).hostname or "localhost"


def message_id_for(*, message_id: int, key: str) -> str:
    """Stable across retries: a receiving server can drop a duplicate with the same Message-ID."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"<outbox-{message_id}.{digest}@{message_id_domain()}>"


def render_parts(
    *, template: str, context: dict[str, Any], recipient: User
) -> tuple[str, str, str]:
    """Subject, text body and HTML body of one message to one member."""
    full: dict[str, Any] = {
        **context,
        "recipient_name": recipient.display_name,
        "site_name": settings.SITE_NAME,
        "site_root": settings.SITE_ROOT,
        "preferences_url": settings.SITE_ROOT + _path_prefixes()[0],
    }
    base = f"notifications/email/{template}/"
    subject = " ".join(render_to_string(base + "subject.txt", full).split())
    text = render_to_string(base + "body.txt", full)
    html = render_to_string(base + "body.html", full)
    return subject, text, html


def email_for(message: Message, recipient: User) -> OutboxEmail:
    campaign = message.message_class == MessageClass.CAMPAIGN
    context = dict(message.context)
    if campaign:
        context["unsubscribe_url"] = unsubscribe_url(recipient.pk)
    subject, text, html = render_parts(
        template=message.template, context=context, recipient=recipient
    )
    headers = {
        "Message-ID": message_id_for(message_id=message.pk, key=message.key),
        "Auto-Submitted": "auto-generated",
    }
    if campaign:
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs here.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = OutboxEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email
