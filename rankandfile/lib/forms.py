"""A base for the small forms behind a button: hidden fields and a choice made by clicking."""

from __future__ import annotations

from django import forms


class ButtonForm(forms.Form):
    """A form whose fields the member never types (hidden inputs, the button pressed).

    Only a changed or stale page sends one that does not validate, and its fields have nowhere
    on the page to show an error: the page comes back with one sentence for the whole form, at
    the top in the error summary, instead of one per field the member cannot see.
    """

    not_understood = "That was not understood; nothing was changed."

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.errors:
            self.errors.clear()
            self.add_error(None, self.not_understood)
