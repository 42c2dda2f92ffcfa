"""django-allauth's account email goes through the outbox like every other message.

Sign-up verification, password reset, "no account with this address", "someone tried to sign
up with your address", email-changed and MFA notices, login codes: allauth renders them with its
own templates (and ours that override them) and calls ``send_mail``; here the rendered message
is queued as a service message in the current transaction instead of being sent at once. The
outbox delivers it straight after the commit, and clears the stored message (and with it the
one-time link or code) once it is sent.

Which address gets which email, and that sign-up and password reset never reveal whether an
address is registered, stays allauth's business (``ACCOUNT_PREVENT_ENUMERATION``).

allauth builds its links (confirm, reset, sign up) from the host of the request, and names the
site by that host ("Hello from 127.0.0.1:8400!"). Here every link it hands to an email is moved
onto ``SITE_ROOT``, and the site it names is ``SITE_NAME``.

A project-level module, not part of ``accounts``: it needs the outbox of ``notifications``,
which sits above ``accounts`` in the layers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from rankandfile.accounts.models import User
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.services import message_enqueue_to_address


@dataclass(frozen=True)
class SiteForEmail:
    """What allauth's email templates read as ``current_site``: our name, never a host:port."""

    name: str
    domain: str


def site_for_email() -> SiteForEmail:
    return SiteForEmail(name=settings.SITE_NAME, domain=settings.SITE_NAME)


def on_site_root(url: str) -> str:
    """An absolute link allauth built from the request's host, moved onto SITE_ROOT."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return url
    return absolute_url((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    def get_user_search_fields(self) -> list[str]:
        # User.email and display_name are encrypted at rest: no admin search by them.
        return []

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        full: dict[str, Any] = {
            "request": request,
            "email": email,
            "current_site": site_for_email(),
            "site_name": settings.SITE_NAME,
            "site_root": settings.SITE_ROOT,
        }
        full.update(context)
        # activate_url, password_reset_url, signup_url... whichever this email carries.
        for name, value in context.items():
            if name.endswith("_url") and isinstance(value, str):
                full[name] = on_site_root(value)
        rendered = self.render_mail(template_prefix, email, full)
        html = ""  # allauth ships text templates only; an HTML one of ours would be used too
        if isinstance(rendered, EmailMultiAlternatives):
            html = next((str(a[0]) for a in rendered.alternatives if a[1] == "text/html"), "")
        user = context.get("user")
        message_enqueue_to_address(
            # A fresh key per email: asking twice for a reset link is two events.
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            template="account_email",
            address=email,
            context={"subject": str(rendered.subject), "text": str(rendered.body), "html": html},
            recipient=user if isinstance(user, User) and user.pk else None,
        )
