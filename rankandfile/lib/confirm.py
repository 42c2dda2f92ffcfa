"""The page an irreversible action shows before it acts (templates/confirm.html).

A POST without ``confirmed=yes`` answers with the page, which says what will happen; its form
posts the same action again with ``confirmed=yes``, and then the view acts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed(request: HttpRequest) -> bool:
    """Whether the member has answered the confirmation page."""
    return request.POST.get("confirmed") == "yes"


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    action_url: str,
    confirm_label: str,
    cancel_url: str,
    hidden: Mapping[str, object] | None = None,
    danger: bool = False,
) -> HttpResponse:
    """Ask ``title``, list the ``consequences``, and post to ``action_url`` (with ``hidden``'s
    fields) on ``confirm_label``; ``danger`` makes that button red."""
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "action_url": action_url,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "hidden": hidden or {},
            "danger": danger,
        },
    )
