from django import forms
from django.template import Context, Template


class _Form(forms.Form):
    amount = forms.DecimalField()
    name = forms.CharField()

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Choose at least one option.")


def test_the_summary_lists_every_error_with_a_link_to_its_field() -> None:
    form = _Form(data={"name": "x"})
    assert not form.is_valid()
    html = Template("{% error_summary form None %}").render(Context({"form": form}))
    assert 'role="alert"' in html and "data-error-summary" in html
    assert '<a href="#id_amount">This field is required.</a>' in html
    assert "<li>Choose at least one option.</li>" in html


def test_a_valid_or_unbound_form_shows_no_summary() -> None:
    html = Template("{% error_summary form %}").render(Context({"form": _Form()}))
    assert html.strip() == ""
