"""Who may see and change activities: the station's own staff and superusers write; township
staff read their region's; deputies read their stations' and the activities they took part in.
Built on issues.permissions.scope_of, the one scoping function."""

from django.utils.translation import gettext as _

from issues.permissions import Actor, scope_of
from liaison.errors import ActionForbidden, IssueNotFound


class ActivityNotFound(IssueNotFound):
    default_message = _("No such activity.")


def can_write_station(user, station_id: int) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or station_id in scope.staff_station_ids


def ensure_can_write(actor: Actor, station_id: int) -> None:
    """Raise ActivityNotFound outside the actor's scope (never confirm it exists) and
    ActionForbidden when the actor may only read this station's activities."""
    if actor.user is None:
        raise ActionForbidden()
    scope = scope_of(actor.user)
    if scope.is_superuser or station_id in scope.staff_station_ids:
        return
    if scope.sees_station(station_id):
        raise ActionForbidden(_("Only the station's staff change its activities."))
    raise ActivityNotFound(_("No such activity."))
