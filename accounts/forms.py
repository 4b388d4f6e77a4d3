"""The one input of the 2FA pages: a code, typed or pasted (parsing only; services check it)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        strip=True,
        error_messages={"required": _("Enter a code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, *args, digits_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The setup page wants the app's 6 digits (a numeric keypad on phones); the verify page
        # also takes recovery codes, which have letters.
        if digits_only:
            self.fields["code"].widget.attrs.update(inputmode="numeric", pattern="[0-9 ]*")
