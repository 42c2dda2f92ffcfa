"""django-allauth's account email goes through the outbox like every other message.

Sign-up verification, password reset, "no account with this address", "someone tried to sign
up with your address", email-changed and MFA notices, login codes: allauth renders them with its
own templates (and ours that override them) and calls ``send_mail``; here the rendered message
is queued as a service message in the current transaction instead of being sent at once. The
outbox delivers it straight after the commit, and clears the stored message (and with it the
one-time link or code) once it is sent.

Which address gets which email, and that sign-up and password reset never reveal whether an
address is registered, stays allauth's business (``ACCOUNT_PREVENT_ENUMERATION``).

A project-level module, not part of ``accounts``: it needs the outbox of ``notifications``,
which sits above ``accounts`` in the layers.
"""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives

from rankandfile.accounts.models import User
from rankandfile.notifications.services import message_enqueue_to_address


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        full = {"request": request, "email": email, "current_site": get_current_site(request)}
        full.update(context)
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
