"""Template tags every form page uses: the GOV.UK error summary.

Registered as a template builtin in settings, so templates need no ``{% load %}``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()


def _errors_of(form: BaseForm) -> list[tuple[str, str]]:
    """(anchor, message) pairs: anchors are the fields' ids, "" for a form-wide error."""
    found = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        anchor = field.id_for_label or field.auto_id or ""
        found.extend((anchor, str(error)) for error in field.errors)
    return found


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms: BaseForm | BaseFormSet[Any] | None) -> dict[str, object]:
    """``{% error_summary form other_form formset %}``: every error of every form, linked."""
    errors: list[tuple[str, str]] = []
    for form in forms:
        if isinstance(form, BaseFormSet):
            errors.extend(("", str(error)) for error in form.non_form_errors())
            for each in form.forms:
                errors.extend(_errors_of(each))
        elif isinstance(form, BaseForm):
            errors.extend(_errors_of(form))
    return {"errors": errors}
