from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

# Stands for the number while a translated duration ("%(n)s 小时") is split into number and unit.
_NUMBER = "\x00"


@register.filter
def pct(rate) -> str:
    """0.8765 → "87.7%"; no rate (nothing to divide) → "—"."""
    if rate is None or rate == "":
        return "—"
    return f"{rate * 100:.1f}%"


def _duration_parts(seconds: float) -> tuple[str, str]:
    """(translated format with %(n)s, the number) of a duration in its most readable unit."""
    if seconds < 60:
        return _("%(n)s s"), f"{seconds:.1f}".rstrip("0").rstrip(".")
    if seconds < 3600:
        return _("%(n)s min"), f"{seconds / 60:.0f}"
    if seconds < 86400 * 2:
        return _("%(n)s h"), f"{seconds / 3600:.1f}"
    return _("%(n)s days"), f"{seconds / 86400:.1f}"


@register.filter
def human_duration(seconds) -> str:
    if seconds is None or seconds == "":
        return "—"
    fmt, n = _duration_parts(float(seconds))
    return fmt % {"n": n}


@register.filter
def figure_value(card: dict) -> str:
    """A card's figure as HTML with its unit (%, 小时, 天) apart, for the CSS to set it smaller:
    on a phone "24.4 小时" at full size does not fit half the screen's width."""
    kind = card.get("kind")
    if kind == "rate":
        if card.get("rate") is None:
            return "—"
        return format_html('{}<span class="unit">%</span>', f"{card['rate'] * 100:.1f}")
    if kind == "duration":
        if card.get("seconds") is None:
            return "—"
        fmt, n = _duration_parts(float(card["seconds"]))
        before, _mark, unit = (fmt % {"n": _NUMBER}).partition(_NUMBER)
        return format_html('{}{}<span class="unit">{}</span>', before, n, unit)
    return format_html("{}", card.get("value"))
