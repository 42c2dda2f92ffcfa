"""The site's own address: every absolute link (emails, share links, embed code) is built here.

``SITE_ROOT`` (settings) is the one public address of the site, such as
``https://organise.example.org``; a link is never built from the request's host, which a proxy,
a test server or a visitor's ``Host`` header decides.
"""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) under SITE_ROOT.

    >>> absolute_url("/campaigns/rent/")  # with SITE_ROOT = "https://organise.example.org"
    'https://organise.example.org/campaigns/rent/'
    """
    if not path.startswith("/"):
        raise ValueError(f"absolute_url needs a path starting with '/', not {path!r}.")
    root: str = settings.SITE_ROOT
    return root.rstrip("/") + path
