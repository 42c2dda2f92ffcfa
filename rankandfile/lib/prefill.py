"""Words one page hands to another app's "new" form to start from, kept in the member's session.

A page of a later app (a conversation's opinion map, say) keeps the words under the form's
name and for one owner (the group the new thing will belong to), and sends the member to the
form's address with ``?prefilled=1``. The form starts from them; saving forgets them. The form's
app knows nothing of where the words came from, and nothing is saved until the member saves.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

QUERY = "prefilled=1"


def _key(form: str) -> str:
    return f"prefill.{form}"


def prefill_store(
    request: HttpRequest, *, form: str, owner: int, initial: dict[str, str], **kwargs: str
) -> str:
    """Keep ``initial`` for the form whose URL name is ``form``, for ``owner``; returns the
    form's address (``kwargs`` are its URL arguments) opened with them."""
    request.session[_key(form)] = {"owner": owner, "initial": initial}
    return f"{reverse(form, kwargs=kwargs)}?{QUERY}"


def prefill_initial(request: HttpRequest, *, form: str, owner: int) -> dict[str, str]:
    """The initial values handed over to ``form`` for ``owner``, if the form was opened with
    them (a reload keeps them; a plain visit to the form starts empty)."""
    if request.GET.get("prefilled") != "1":
        return {}
    kept = request.session.get(_key(form))
    if not isinstance(kept, dict) or kept.get("owner") != owner:
        return {}
    return dict(kept["initial"])


def prefill_forget(request: HttpRequest, *, form: str) -> None:
    request.session.pop(_key(form), None)
