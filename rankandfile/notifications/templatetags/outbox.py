from __future__ import annotations

from django import template

from rankandfile.notifications import kinds

register = template.Library()


@register.filter
def kind_label(template_name: str) -> str:
    """A message kind's plain name (``pledge_triggered`` -> "Pledge triggered (action pack)")."""
    return kinds.kind_label(template_name)
