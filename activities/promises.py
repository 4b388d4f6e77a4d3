"""Items raised at an activity, the government's promises about them, the deputies' ratings
and the return visits (跟踪督办). Each item is a case: created, answered and reopened through
issues.services."""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.common import THEME_MAX, end_of_day, locked_activity, locked_item, today
from activities.models import ActivityItem, ItemRating, ReturnVisit, Status
from activities.permissions import ActivityNotFound, ensure_can_write
from issues import clock
from issues.models import OPEN_STATES, Channel, Department, Rating, State
from issues.permissions import SYSTEM, Actor, scope_of
from issues.services import issue_accept, issue_reopen, issue_reply, issue_review, issue_submit
from issues.validators import REASON_MAX, REPLY_MAX, clean_text
from issues.workdays import add_working_days
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput


def item_raise(
    *,
    actor: Actor,
    activity_id: int,
    content: str,
    title: str = "",
    deputy_id: int | None = None,
    category_id: int | None = None,
) -> ActivityItem:
    """Raise an item at an activity: a case with channel *activity* is submitted, accepted and
    reviewed by the station (the item is raised in its presence) and linked to the activity."""
    from deputies.models import Stationing

    title = (title or "").strip()
    if len(title) > THEME_MAX:
        raise InvalidInput(_("The title is too long (at most %(n)d characters).") % {"n": THEME_MAX}, field="title")
    with transaction.atomic():
        activity = locked_activity(activity_id)
        ensure_can_write(actor, activity.station_id)
        if activity.status == Status.CLOSED:
            raise IllegalTransition(_("Items cannot be raised at a closed activity."))
        case_deputy_id = None
        if deputy_id is not None:
            if not activity.participations.filter(deputy_id=deputy_id).exists():
                raise InvalidInput(_("Only a deputy taking part raises an item."), field="deputy")
            serving = Stationing.objects.current(on=today()).filter(deputy_id=deputy_id, station_id=activity.station_id)
            case_deputy_id = deputy_id if serving.exists() else None
        case = issue_submit(
            actor=actor,
            channel=Channel.ACTIVITY,
            station_id=activity.station_id,
            deputy_id=case_deputy_id,
            category_id=category_id,
            content=content,
        )
        issue_accept(actor=actor, issue_id=case.pk, note=str(activity))
        case = issue_review(actor=actor, issue_id=case.pk)
        number = (activity.items.aggregate(n=Max("number"))["n"] or 0) + 1
        item = ActivityItem.objects.create(
            activity=activity,
            number=number,
            case=case,
            title=title or case.content[:40],
            raised_by_id=deputy_id,
        )
    return item


def promise_record(
    *,
    actor: Actor,
    item_id: int,
    measure: str,
    department_id: int | None,
    deadline: date | None,
    answer: str = "",
) -> ActivityItem:
    """The government's answer to an item: measure, responsible department and deadline, all
    required. The answer is also the case's reply (issue_reply), so the case becomes replied."""
    measure = clean_text(measure, field="measure", required_message=_("Write the promised measure."), maximum=REPLY_MAX)
    department = None
    if department_id is not None:
        department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise InvalidInput(_("Choose the responsible department."), field="department")
    if not isinstance(deadline, date) or isinstance(deadline, datetime):
        raise InvalidInput(_("A promise needs a deadline."), field="deadline")
    if deadline < today():
        raise InvalidInput(_("The deadline cannot be in the past."), field="deadline")
    with transaction.atomic():
        item = locked_item(item_id)
        ensure_can_write(actor, item.activity.station_id)
        if item.measure:
            raise IllegalTransition(_("A promise is already recorded for this item."))
        if item.activity.status == Status.PLANNED:
            raise IllegalTransition(_("Record the answers once the activity has been held."))
        text = (answer or "").strip() or _("%(department)s: %(measure)s (by %(deadline)s)") % {
            "department": department.name,
            "measure": measure,
            "deadline": deadline.isoformat(),
        }
        issue_reply(actor=actor, issue_id=item.case_id, text=text)
        item.measure, item.department, item.deadline, item.first_deadline = measure, department, deadline, deadline
        item.promised_at = clock.now()
        item.save(update_fields=["measure", "department", "deadline", "first_deadline", "promised_at"])
    return item


def _rating_deputy_id(actor: Actor, item: ActivityItem, deputy_id: int | None) -> int:
    """A deputy rates for themselves; the station's staff may enter a deputy's rating (a paper
    form handed in at the session)."""
    if actor.user is None:
        raise ActionForbidden()
    scope = scope_of(actor.user)
    station_id = item.activity.station_id
    if scope.deputy_id is not None and deputy_id in (None, scope.deputy_id):
        return scope.deputy_id
    if scope.is_superuser or station_id in scope.staff_station_ids:
        if deputy_id is None:
            raise InvalidInput(_("Choose the deputy whose rating this is."), field="deputy")
        return deputy_id
    if scope.sees_station(station_id):
        raise ActionForbidden()
    raise ActivityNotFound()


def item_rate(
    *,
    actor: Actor,
    item_id: int,
    rating: str,
    comment: str = "",
    deputy_id: int | None = None,
    new_deadline: date | None = None,
) -> ItemRating:
    """A deputy who took part rates the handling of an item, once per round. 不满意 sends the
    case back for re-handling (issue_reopen, by the system) and moves the promise to a new
    deadline: `new_deadline`, or the case category's reply time from today."""
    if rating not in Rating.values:
        raise InvalidInput(_("Choose satisfied, basically satisfied or unsatisfied."), field="rating")
    comment = (comment or "").strip()
    if len(comment) > REASON_MAX:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).") % {"n": REASON_MAX}, field="comment")
    if rating == Rating.UNSATISFIED and not comment:
        raise InvalidInput(_("Say what is still wrong."), field="comment")
    if new_deadline is not None and new_deadline <= today():
        raise InvalidInput(_("The new deadline must be in the future."), field="deadline")
    with transaction.atomic():
        item = locked_item(item_id)
        rater_id = _rating_deputy_id(actor, item, deputy_id)
        if not item.activity.participations.filter(deputy_id=rater_id, attended=True).exists():
            raise ActionForbidden(_("Only deputies who took part in the activity rate its items."))
        case = item.case
        if not item.measure or case.state not in (State.REPLIED, State.CLOSED, State.EVALUATED):
            raise IllegalTransition(_("This item has no answer to rate yet."))
        if ItemRating.objects.filter(item=item, deputy_id=rater_id, round=case.round).exists():
            raise IllegalTransition(_("This deputy has already rated this item in this round."))
        row = ItemRating.objects.create(
            item=item, deputy_id=rater_id, round=case.round, rating=rating, comment=comment, created_at=clock.now()
        )
        if rating == Rating.UNSATISFIED:
            if new_deadline is None:
                days = (
                    case.category.reply_working_days if case.category_id else settings.ISSUE_DEFAULT_REPLY_WORKING_DAYS
                )
                new_deadline = timezone.localdate(add_working_days(clock.now(), days))
            reason = _("A deputy rated the handling unsatisfied: %(comment)s") % {"comment": comment}
            issue_reopen(actor=SYSTEM, issue_id=case.pk, reason=reason, deadline=end_of_day(new_deadline))
            item.deadline, item.kept_at = new_deadline, None
            item.save(update_fields=["deadline", "kept_at"])
    return row


def promise_mark_kept(*, actor: Actor, item_id: int, kept_on: date | None = None, note: str = "") -> ActivityItem:
    """The department did what it promised. When the case is being handled again (after an
    unsatisfied rating), `note` is the new answer and becomes the case's reply."""
    kept_on = kept_on or today()
    if kept_on > today():
        raise InvalidInput(_("The date cannot be in the future."), field="kept_on")
    with transaction.atomic():
        item = locked_item(item_id)
        ensure_can_write(actor, item.activity.station_id)
        if not item.measure:
            raise IllegalTransition(_("No promise is recorded for this item."))
        if item.kept_at is not None:
            raise IllegalTransition(_("This promise is already marked as kept."))
        if kept_on < timezone.localdate(item.promised_at):
            raise InvalidInput(_("A promise cannot be kept before it was made."), field="kept_on")
        if item.case.state in OPEN_STATES:
            text = clean_text(note, field="note", required_message=_("Write the new answer."), maximum=REPLY_MAX)
            issue_reply(actor=actor, issue_id=item.case_id, text=text)
        item.kept_at = kept_on
        item.save(update_fields=["kept_at"])
    return item


def return_visit_record(*, actor: Actor, item_id: int, date: date, note: str) -> ReturnVisit:
    note = clean_text(note, field="note", required_message=_("Write what the return visit found."), maximum=REASON_MAX)
    if not isinstance(date, type(today())) or date > today():
        raise InvalidInput(_("Give the date of the visit (not in the future)."), field="date")
    with transaction.atomic():
        item = locked_item(item_id)
        ensure_can_write(actor, item.activity.station_id)
        return ReturnVisit.objects.create(item=item, date=date, note=note, by=actor.user, created_at=clock.now())
