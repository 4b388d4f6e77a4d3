from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(figure: dict) -> str:
    """ "12 / 16 (75.0%)", or "0 / 0 (nothing to divide)" for an empty denominator."""
    if not figure["denominator"]:
        return _("%(n)d / 0 (nothing to divide)") % {"n": figure["numerator"]}
    return f"{figure['numerator']} / {figure['denominator']} ({figure['rate'] * 100:.1f}%)"
