"""The draft form's error summary: the campaign's form and every row of its ladder in one."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.forms import BaseForm

from rankandfile.lib.form_tags import error_summary

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def ladder_error_summary(form: BaseForm, stage_forms: Sequence[BaseForm]) -> dict[str, object]:
    """``{% ladder_error_summary form stage_forms %}``: one summary for the whole form."""
    return error_summary(form, *stage_forms)
