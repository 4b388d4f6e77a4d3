from django import template

from rosters.services import may_import

register = template.Library()


@register.filter
def may_import_rosters(user) -> bool:
    """For the admin index's link to the roster import: shown to those who may use it."""
    return bool(user.is_authenticated and user.is_staff and may_import(user))
