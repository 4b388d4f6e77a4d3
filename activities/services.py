"""Every write to activities: keyword-only, atomic, refusing with liaison.errors before anything
is written. Items are cases: they are created, answered and reopened through issues.services,
never by setting a case's state here.

Activities are written here; items, promises and ratings in activities.promises and the duty
roster in activities.roster, both re-exported, so that callers import every write from here."""

from collections.abc import Iterable, Sequence
from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from activities.common import (
    THEME_MAX,
    active_deputies,
    clean_activity_photos,
    clean_officials,
    locked_activity,
    move_status,
    store_photos,
    today,
)
from activities.models import (
    Activity,
    ActivityPhoto,
    EscalatedCase,
    Kind,
    MeetingType,
    Official,
    Participation,
    Status,
    TopicSource,
)
from activities.permissions import ensure_can_write
from activities.promises import item_raise, item_rate, promise_mark_kept, promise_record, return_visit_record
from activities.roster import duty_rule_create, duty_rule_generate, duty_slot_swap
from issues import clock
from issues.escalation import escalation_proposal_taken
from issues.models import State
from issues.permissions import Actor
from issues.selectors import issues_visible_to
from issues.validators import clean_text
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput, IssueNotFound

__all__ = [
    "activity_add_photos",
    "activity_close",
    "activity_create",
    "activity_hold",
    "activity_update",
    "duty_rule_create",
    "duty_rule_generate",
    "duty_slot_swap",
    "escalate_case_to_appointment",
    "item_raise",
    "item_rate",
    "promise_mark_kept",
    "promise_record",
    "return_visit_record",
]

# --- activities ---------------------------------------------------------------------------------


def activity_create(
    *,
    actor: Actor,
    station_id: int,
    kind: str,
    theme: str,
    date: date,
    topic_source: str = "",
    place: str = "",
    start_time: time | None = None,
    description: str = "",
    is_public: bool = True,
    deputy_ids: Iterable[int] = (),
    officials: Iterable[tuple[str, str]] = (),
    preparatory_for_id: int | None = None,
    meeting_type: str = "",
) -> Activity:
    """Plan an activity. A preparatory meeting (`preparatory_for_id` + `meeting_type`) belongs to
    a questioning session of the same station, one of each type, on or before its date."""
    from stations.models import Station

    if kind not in Kind.values:
        raise InvalidInput(_("Choose a kind of activity."), field="kind")
    theme = clean_text(theme, field="theme", required_message=_("Give the activity a theme."), maximum=THEME_MAX)
    if topic_source and topic_source not in TopicSource.values:
        raise InvalidInput(_("Choose where the topic came from."), field="topic_source")
    if not isinstance(date, type(today())):
        raise InvalidInput(_("Give the date of the activity."), field="date")
    station = Station.objects.filter(pk=station_id, is_active=True).first()
    if station is None:
        raise InvalidInput(_("Choose a station."), field="station")
    ensure_can_write(actor, station.pk)
    deputies = active_deputies(deputy_ids)
    officials = clean_officials(officials)

    parent = None
    if preparatory_for_id is not None or meeting_type:
        if meeting_type not in MeetingType.values:
            raise InvalidInput(_("Choose the type of the preparatory meeting."), field="meeting_type")
        parent = Activity.objects.filter(pk=preparatory_for_id).first()
        if parent is None or parent.station_id != station.pk:
            raise InvalidInput(_("Choose a questioning session of the same station."), field="preparatory_for")
        if parent.kind != Kind.CONGRESS_QUESTIONING or parent.is_preparatory:
            raise InvalidInput(
                _("Preparatory meetings belong to a congress questioning session."), field="preparatory_for"
            )
        if date > parent.date:
            raise InvalidInput(_("A preparatory meeting takes place before the session."), field="date")
        if parent.preparatory_meetings.filter(meeting_type=meeting_type).exists():
            raise InvalidInput(_("This session already has a meeting of this type."), field="meeting_type")
        kind, is_public = Kind.CONGRESS_QUESTIONING, False

    with transaction.atomic():
        activity = Activity.objects.create(
            station=station,
            kind=kind,
            theme=theme,
            topic_source=topic_source,
            date=date,
            start_time=start_time,
            place=(place or "").strip()[:200],
            description=(description or "").strip(),
            is_public=is_public,
            preparatory_for=parent,
            meeting_type=meeting_type if parent else "",
            created_by=actor.user,
            created_at=clock.now(),
        )
        Participation.objects.bulk_create([Participation(activity=activity, deputy=d) for d in deputies])
        Official.objects.bulk_create([Official(activity=activity, name=n, post=p) for n, p in officials])
    return activity


_EDITABLE = ("theme", "topic_source", "date", "start_time", "place", "description", "is_public")


def activity_update(*, actor: Actor, activity_id: int, **changes) -> Activity:
    """Change what a planned activity is about and when and where it takes place."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "theme" in changes:
        changes["theme"] = clean_text(
            changes["theme"], field="theme", required_message=_("Give the activity a theme."), maximum=THEME_MAX
        )
    if changes.get("topic_source") and changes["topic_source"] not in TopicSource.values:
        raise InvalidInput(_("Choose where the topic came from."), field="topic_source")
    with transaction.atomic():
        activity = locked_activity(activity_id)
        ensure_can_write(actor, activity.station_id)
        if activity.status != Status.PLANNED:
            raise IllegalTransition(_("Only a planned activity can be changed."))
        if "date" in changes and activity.preparatory_for_id and changes["date"] > activity.preparatory_for.date:
            raise InvalidInput(_("A preparatory meeting takes place before the session."), field="date")
        for name, value in changes.items():
            setattr(activity, name, value)
        activity.save(update_fields=list(changes) or None)
    return activity


def activity_hold(
    *,
    actor: Actor,
    activity_id: int,
    minutes: str,
    attendance: int | None,
    attended_deputy_ids: Iterable[int] | None = None,
    photos: Sequence = (),
) -> Activity:
    """Record that a planned activity took place: minutes and attendance are required; the
    deputies who attended (when given) replace the planned participation."""
    minutes = clean_text(minutes, field="minutes", required_message=_("Write the minutes."), maximum=20000)
    if attendance is None or not isinstance(attendance, int) or attendance < 0:
        raise InvalidInput(_("Give the number of people who attended."), field="attendance")
    attended = active_deputies(attended_deputy_ids) if attended_deputy_ids is not None else None
    clean = clean_activity_photos(photos)
    with transaction.atomic():
        activity = locked_activity(activity_id)
        ensure_can_write(actor, activity.station_id)
        move_status(activity, Status.HELD)
        if activity.date > today():
            raise IllegalTransition(_("An activity cannot be recorded as held before its date."))
        if attended is not None:
            if len(attended) > attendance:
                raise InvalidInput(
                    _("The attendance cannot be lower than the deputies who attended."), field="attendance"
                )
            ids = {d.pk for d in attended}
            activity.participations.exclude(deputy_id__in=ids).update(attended=False)
            activity.participations.filter(deputy_id__in=ids).update(attended=True)
            known = set(activity.participations.values_list("deputy_id", flat=True))
            Participation.objects.bulk_create(
                [Participation(activity=activity, deputy=d, attended=True) for d in attended if d.pk not in known]
            )
        activity.minutes = minutes
        activity.attendance = attendance
        activity.held_at = clock.now()
        activity.save(update_fields=["status", "minutes", "attendance", "held_at"])
        store_photos(activity, clean)
    return activity


def activity_add_photos(*, actor: Actor, activity_id: int, photos: Sequence) -> list[ActivityPhoto]:
    clean = clean_activity_photos(photos)
    if not clean:
        raise InvalidInput(_("Choose at least one photo."), field="photos")
    with transaction.atomic():
        activity = locked_activity(activity_id)
        ensure_can_write(actor, activity.station_id)
        return store_photos(activity, clean)


def activity_close(*, actor: Actor, activity_id: int) -> Activity:
    """Close a held activity. Refused without minutes."""
    with transaction.atomic():
        activity = locked_activity(activity_id)
        ensure_can_write(actor, activity.station_id)
        if not activity.minutes.strip():
            raise InvalidInput(_("Record the minutes before closing the activity."), field="minutes")
        move_status(activity, Status.CLOSED)
        activity.closed_at = clock.now()
        activity.save(update_fields=["status", "closed_at"])
    return activity


# --- escalation ---------------------------------------------------------------------------------


def escalate_case_to_appointment(
    *,
    actor: Actor,
    case_id: int,
    activity_id: int | None = None,
    date: date | None = None,
    theme: str = "",
    place: str = "",
    note: str = "",
) -> EscalatedCase:
    """Station staff make a complex case the topic of an upcoming appointment with the township
    head: an existing planned one of the case's station, or a new one on `date`."""
    if actor.user is None:
        raise ActionForbidden()
    case = issues_visible_to(actor.user).filter(pk=case_id).first()
    if case is None:
        raise IssueNotFound()
    ensure_can_write(actor, case.station_id)
    if case.state == State.REJECTED:
        raise IllegalTransition(_("A rejected case cannot become the topic of an appointment."))
    with transaction.atomic():
        if activity_id is not None:
            activity = locked_activity(activity_id)
            if (
                activity.station_id != case.station_id
                or activity.kind != Kind.TOWNSHIP_HEAD_APPOINTMENT
                or activity.status != Status.PLANNED
                or activity.date < today()
            ):
                raise InvalidInput(
                    _("Choose an upcoming appointment with the township head of the case's station."), field="activity"
                )
        else:
            if date is None or date < today():
                raise InvalidInput(_("Give the date of the appointment (today or later)."), field="date")
            activity = activity_create(
                actor=actor,
                station_id=case.station_id,
                kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
                theme=theme or case.content[:THEME_MAX],
                topic_source=TopicSource.DEPUTY,
                date=date,
                place=place,
            )
        if EscalatedCase.objects.filter(activity=activity, case=case).exists():
            raise InvalidInput(_("This case is already a topic of that appointment."), field="case")
        escalation_proposal_taken(case.pk)
        return EscalatedCase.objects.create(
            activity=activity, case=case, note=(note or "").strip(), escalated_by=actor.user, escalated_at=clock.now()
        )
