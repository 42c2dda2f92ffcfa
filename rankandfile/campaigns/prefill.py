"""Words another page hands to the new-campaign form: demands and an explanation to start from.

A page of a later app (a conversation's opinion map, say) keeps them in the member's session
under one generic key and sends the organiser to the draft form's address with ``?prefilled=1``;
the form starts from them, and saving the draft forgets them. Campaigns know nothing of where
the words came from, and nothing is saved until the organiser saves the draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from rankandfile.groups.models import Group

SESSION_KEY = "campaigns.draft_prefill"
QUERY = "prefilled=1"


def draft_prefill_store(
    request: HttpRequest, *, group: Group, demands: Sequence[str], explanation: str
) -> str:
    """Keep the words for ``group``'s new-campaign form; the form's address to go to."""
    request.session[SESSION_KEY] = {
        "group": group.pk,
        "demands": list(demands),
        "explanation": explanation,
    }
    return f"{reverse('campaigns:new', kwargs={'group_slug': group.slug})}?{QUERY}"


def draft_prefill_initial(request: HttpRequest, *, group: Group) -> dict[str, Any]:
    """The new-campaign form's initial values handed over for ``group``, if it was sent with
    them (a reload keeps them; a plain visit to the form starts empty)."""
    if request.GET.get("prefilled") != "1":
        return {}
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("group") != group.pk:
        return {}
    return {"demands": "\n".join(kept["demands"]), "explanation": kept["explanation"]}


def draft_prefill_forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
