from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rankandfile.privacy.notice import privacy_notice


def notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: public, generated from the consents, periods and processors."""
    return render(request, "privacy/notice.html", {"notice": privacy_notice()})
