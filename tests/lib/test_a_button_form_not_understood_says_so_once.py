"""lib.forms.ButtonForm: a form of hidden fields that does not validate has one error, for the
whole form, which the error summary shows without a link to a field nobody can see."""

from __future__ import annotations

from django import forms
from django.template import Context, Template

from rankandfile.lib.forms import ButtonForm


class _Choice(ButtonForm):
    not_understood = "That choice was not understood; nothing was changed."
    item = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("keep", "Keep"), ("drop", "Drop")])


def test_every_field_error_becomes_one_error_for_the_form() -> None:
    form = _Choice({"item": "x", "action": "burn"})
    assert not form.is_valid()
    assert form.errors == {"__all__": ["That choice was not understood; nothing was changed."]}
    summary = Template("{% error_summary form %}").render(Context({"form": form}))
    assert "That choice was not understood" in summary and 'href="#' not in summary


def test_a_valid_or_unbound_form_has_no_error() -> None:
    assert _Choice({"item": "3", "action": "keep"}).is_valid()
    assert _Choice().errors == {}
