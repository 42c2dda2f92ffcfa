"""Turning an outbox row into an email: templates, Message-ID and unsubscribe headers."""

from __future__ import annotations

import binascii
import email.policy
import hashlib
import time
from email.header import Header
from email.policy import Policy
from email.utils import formatdate
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template, engines
from django.template.loader import render_to_string
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.kinds import ADDRESSED_KINDS
from rankandfile.notifications.models import Message, MessageClass

_UNSUBSCRIBE_SALT = "rankandfile.notifications.unsubscribe"
SMTP_POLICY = email.policy.SMTP


def _header_line(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"The {name} header may not contain a line break.")
    if value.isascii() and len(name) + len(value) < 996:
        return f"{name}: {value}"
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode()}"


def _quoted_printable(text: str) -> str:
    return binascii.b2a_qp(text.encode(), istext=True).decode("ascii")


def mime_bytes(
    *,
    subject: str,
    from_email: str,
    to: list[str],
    headers: dict[str, str],
    text: str,
    html: str | None,
    linesep: str = "\r\n",
) -> bytes:
    """The MIME text of one outbox email: text plus an optional HTML alternative, UTF-8,
    quoted-printable, no attachments, Cc or Bcc.

    Django 6.1 builds messages with the email package's modern API, and even its compat32 API
    refolds every header through ``Header``: together several milliseconds per message, which is
    the whole budget when a deadline sends a thousand messages a second. The outbox only ever
    sends this one shape, which is a few lines to write. Non-ASCII or long header values still
    go through ``email.header.Header``; the tests parse every kind with the standard library's
    parser.
    """
    seed = headers.get("Message-ID") or repr(sorted(headers.items()))
    boundary = "=_outbox_" + hashlib.sha256(seed.encode()).hexdigest()[:24]
    all_headers = {
        "Subject": subject,
        "From": from_email,
        "To": ", ".join(to),
        "Date": _date_now(),
        **headers,
        "MIME-Version": "1.0",
        "Content-Type": f'multipart/alternative; boundary="{boundary}"',
    }
    lines = [_header_line(name, str(value)) for name, value in all_headers.items()]
    bodies = [("plain", text)]
    if html is not None:
        bodies.append(("html", html))
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
    joined = "\n".join(lines).replace("\r\n", "\n")
    return (joined.replace("\n", linesep) if linesep != "\n" else joined).encode("ascii")


_date_cache: tuple[int, str] = (0, "")


def _date_now() -> str:
    """The Date header; formatted once a second, not once a message."""
    global _date_cache
    second = int(time.time())
    if _date_cache[0] != second:
        _date_cache = (second, formatdate(second, usegmt=True))
    return _date_cache[1]


class PrebuiltMime:
    """The little of ``email.message.Message`` that Django's mail backends use."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def as_bytes(self, *args: object, **kwargs: object) -> bytes:
        return self.data

    def get_charset(self) -> None:
        return None


class OutboxEmail(EmailMultiAlternatives):
    """A Django email whose MIME text is written by ``mime_bytes``, not by the ``email`` package,
    for backends other than SMTP (the console in development, the test outbox)."""

    def message(self, *, policy: Policy = email.policy.default) -> PrebuiltMime:  # type: ignore[override]
        html = [str(alternative[0]) for alternative in self.alternatives]
        return PrebuiltMime(
            mime_bytes(
                subject=str(self.subject),
                from_email=str(self.from_email),
                to=list(self.to),
                headers={name: str(value) for name, value in self.extra_headers.items()},
                text=str(self.body),
                html=html[0] if html else None,
                linesep=policy.linesep,
            )
        )


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
    return absolute_url(f"{_path_prefixes()[1]}{unsubscribe_token(member_id)}/")


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
        "preferences_url": absolute_url(_path_prefixes()[0]),
    }
    base = f"notifications/email/{template}/"
    subject = " ".join(_template(base + "subject.txt").render(Context(full)).split())
    text = _template(base + "body.txt").render(Context(full))
    html = _template(base + "body.html").render(Context(full))
    return subject, text, html


@cache
def _compiled(name: str) -> Template:
    template: Template = engines["django"].engine.get_template(name)  # type: ignore[attr-defined]
    return template


def _template(name: str) -> Template:
    """A compiled email template: kept for the process's life, except in development, where
    an edited template must show at once (the engine's own cache is reset then)."""
    if settings.DEBUG:
        template: Template = engines["django"].engine.get_template(name)  # type: ignore[attr-defined]
        return template
    return _compiled(name)


def _rendered(message: Message, recipient: User) -> tuple[str, str, str, dict[str, str]]:
    """Subject, text, HTML and the outbox's own headers of one message to one member."""
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
    return subject, text, html, headers


def email_for(message: Message, recipient: User | None) -> OutboxEmail:
    """The message as a Django email, for any mail backend."""
    if message.template in ADDRESSED_KINDS:
        return addressed_email_for(message)
    assert recipient is not None, "only an addressed kind may have no recipient"
    subject, text, html, headers = _rendered(message, recipient)
    email = OutboxEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def smtp_envelope_for(message: Message) -> tuple[str, bytes]:
    """The envelope recipient and the finished SMTP bytes (CRLF line ends) of the message.

    The same text as ``email_for`` gives, without building a Django email on the way: the
    sender's fast path over an open SMTP connection.
    """
    if message.template in ADDRESSED_KINDS:
        email = addressed_email_for(message)
        return email.to[0], email.message(policy=SMTP_POLICY).as_bytes()
    recipient = message.recipient
    assert recipient is not None, "only an addressed kind may have no recipient"
    subject, text, html, headers = _rendered(message, recipient)
    data = mime_bytes(
        subject=subject,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=headers,
        text=text,
        html=html,
    )
    return recipient.email, data


def addressed_email_for(message: Message) -> OutboxEmail:
    """A service message of an addressed kind, to the address in its context (``to``)."""
    context: dict[str, Any] = {
        **message.context,
        "site_name": settings.SITE_NAME,
        "site_root": settings.SITE_ROOT,
    }
    base = f"notifications/email/{message.template}/"
    email = OutboxEmail(
        subject=" ".join(render_to_string(base + "subject.txt", context).split()),
        body=render_to_string(base + "body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[context["to"]],
        headers={
            "Message-ID": message_id_for(message_id=message.pk, key=message.key),
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(render_to_string(base + "body.html", context), "text/html")
    return email
