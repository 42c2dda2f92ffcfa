"""``{{ text|markdown }}``: a member's Markdown, rendered and sanitised (lib.markdown).

Registered as a template builtin in settings, so templates need no ``{% load %}``.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from rankandfile.lib.markdown import markdown_render

register = template.Library()


@register.filter(name="markdown")
def markdown(source: str) -> SafeString:
    return markdown_render(source or "")
