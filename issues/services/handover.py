"""The end of a deputy's term at a station (代表离任): the station's staff hand the deputy's open
cases to another deputy of the station, all in one transaction with a timeline event on each,
and end the stationing. A deputy left serving nowhere stops serving: their QR code then sends
villagers to the station (villagers), and their record stays readable."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import Deputy, Stationing
from issues import clock
from issues.models import OPEN_STATES, Action, Issue
from issues.permissions import Actor, scope_of
from issues.services.core import record_event, save_if_unchanged
from liaison.errors import ActionForbidden, InvalidInput, IssueNotFound


@dataclass(frozen=True)
class HandOver:
    moved: list[int]  # the ids of the cases handed over
    stopped_serving: bool


def deputy_end_term(
    *, actor: Actor, deputy_id: int, station_id: int, successor_id: int, end_date: date | None = None
) -> HandOver:
    """Only the station's staff (and superusers) do this; it is not in the per-case permission
    table (issues.permissions) because it acts on a deputy, not on one case.

    End `deputy_id`'s stationing at `station_id` on `end_date` (today by default) and hand
    every open case addressed to them at that station to `successor_id`, a deputy serving
    there. Everything or nothing: one case that cannot move stops the whole hand-over."""
    scope = scope_of(actor.user) if actor.user is not None else None
    if scope is None or not (scope.is_superuser or station_id in scope.staff_station_ids):
        if scope is not None and scope.sees_station(station_id):
            raise ActionForbidden(_("Only the station's staff end a deputy's term there."))
        raise IssueNotFound(_("No such deputy at this station."))
    today = timezone.localdate(clock.now()) if end_date is None else end_date
    with transaction.atomic():
        stationing = (
            Stationing.objects.select_for_update()
            .filter(deputy_id=deputy_id, station_id=station_id)
            .current(on=today)
            .first()
        )
        if stationing is None:
            raise IssueNotFound(_("No such deputy at this station."))
        if successor_id == deputy_id:
            raise InvalidInput(_("Choose another deputy to take the cases over."), field="successor")
        serving = Stationing.objects.current(on=today).filter(station_id=station_id, deputy__is_active=True)
        successor = Deputy.objects.filter(pk=successor_id, pk__in=serving.values("deputy_id")).first()
        if successor is None:
            raise InvalidInput(_("Choose a deputy who serves at this station."), field="successor")
        deputy = Deputy.objects.select_for_update().get(pk=deputy_id)
        moved = []
        cases = Issue.objects.select_for_update().filter(
            deputy_id=deputy_id, station_id=station_id, state__in=OPEN_STATES
        )
        for issue in cases.order_by("pk"):
            issue.deputy_id = successor.pk
            issue.updated_at = clock.now()
            save_if_unchanged(issue, issue.state, issue.round)
            record_event(
                issue,
                action=Action.HAND_OVER,
                from_state=issue.state,
                actor=actor,
                data={"from_deputy": deputy.pk, "to_deputy": successor.pk},
                internal_note=_("%(old)s's term ended; handed to %(new)s.")
                % {"old": deputy.name, "new": successor.name},
            )
            moved.append(issue.pk)
        stationing.end_date = max(today, stationing.start_date)
        stationing.save(update_fields=["end_date"])
        stopped = not Stationing.objects.filter(deputy=deputy).exclude(pk=stationing.pk).current(on=today).exists()
        if stopped and deputy.is_active:
            deputy.is_active = False
            deputy.save(update_fields=["is_active"])
    return HandOver(moved=moved, stopped_serving=stopped)
