from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(rate) -> str:
    """0.8765 → "87.7%"; no rate (nothing to divide) → "—"."""
    if rate is None or rate == "":
        return "—"
    return f"{rate * 100:.1f}%"


@register.filter
def human_duration(seconds) -> str:
    if seconds is None or seconds == "":
        return "—"
    seconds = float(seconds)
    if seconds < 60:
        return _("%(n)s s") % {"n": f"{seconds:.1f}".rstrip("0").rstrip(".")}
    if seconds < 3600:
        return _("%(n)s min") % {"n": f"{seconds / 60:.0f}"}
    if seconds < 86400 * 2:
        return _("%(n)s h") % {"n": f"{seconds / 3600:.1f}"}
    return _("%(n)s days") % {"n": f"{seconds / 86400:.1f}"}
