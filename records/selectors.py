"""A deputy's duty record (代表履职档案) for a period: the one computation behind the record page in
the admin, /api/deputies/{id}/record/ and the reports. Its case figures are issues.stats'
(`issue_stats` narrowed to the deputy), its activities those the dashboard counts, so that the
record and the dashboard never disagree for the same person and period. Every figure carries
the address of the admin list that shows the cases or events behind it."""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActivityItem, Kind, Participation, Status
from activities.selectors import activities_visible_to
from deputies.models import Deputy, Stationing
from issues import clock
from issues.models import Channel, Rating, State
from issues.permissions import scope_of
from issues.stats import figure_cases, issue_stats
from stations.models import DutySlot

# The two kinds of session a township congress asks about by name in a deputy's report.
NAMED_KINDS = (Kind.TOWNSHIP_HEAD_APPOINTMENT, Kind.CONGRESS_QUESTIONING)
_HELD = (Status.HELD, Status.CLOSED)
_NOT_REJECTED = ",".join(code for code in State.values if code != State.REJECTED)


def record_deputies(user) -> QuerySet[Deputy]:
    """The deputies whose record `user` may read: all for superusers; a deputy their own; station
    and township staff the deputies ever stationed at their stations (a term that ended stays
    readable). Other deputies of a deputy's own station are not theirs to read."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Deputy.objects.all()
    watches_stations = bool(scope.staff_station_ids or scope.region_paths)
    q = Q(pk__in=Stationing.objects.filter(scope.staff_station_filter("station__")).values("deputy_id"))
    if scope.deputy_id is not None:
        q |= Q(pk=scope.deputy_id)
    if not watches_stations and scope.deputy_id is None:
        return Deputy.objects.none()
    return Deputy.objects.filter(q)


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _admin_list(model: str, **params) -> str:
    if model == "issues_issue":  # every case behind the figure, not only those waiting in the queue
        params.setdefault("queue", "all")
    query = urlencode({k: v for k, v in params.items() if v is not None}, safe=",")
    return f"{reverse(f'admin:{model}_changelist')}?{query}"


def _ids(values) -> str:
    # An empty id list would be read by the admin as "no filter": ask for an id that never exists.
    return ",".join(str(v) for v in values) or "0"


def _rate(numerator: int, denominator: int, definition: str, url: str, denominator_url: str) -> dict:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": numerator / denominator if denominator else None,
        "definition": definition,
        "url": url,
        "denominator_url": denominator_url,
    }


def duty_record(user, deputy: Deputy, first_day: date, last_day: date) -> dict:
    """The record of `deputy` (taken from record_deputies(user)) over [first_day, last_day], as
    `user` may see it: cases of the stations in their scope (or the deputy's own), and the
    activities and reception days of those stations. Plain, JSON-serialisable data."""
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    today = timezone.localdate(clock.now())
    stats = issue_stats(user, start=start, end=end, deputy_id=deputy.pk)
    cases = figure_cases(user, start=start, end=end, deputy_id=deputy.pk)
    case_list = {
        "deputy__id__exact": deputy.pk,
        "created_at__gte": str(start),
        "created_at__lt": str(end),
    }

    def cases_url(**extra) -> str:
        return _admin_list("issues_issue", **case_list, **extra)

    received = stats["received"]["value"]
    by_state = dict(cases.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    by_category = list(
        cases.order_by()
        .values("category_id", "category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")
    )
    on_time, satisfaction = stats["on_time_reply_rate"], stats["satisfaction_rate"]
    record = {
        "deputy": {"id": deputy.pk, "name": deputy.name, "level": deputy.get_level_display()},
        "serving": deputy.is_active,
        "first_day": first_day,
        "last_day": last_day,
        "computed_at": clock.now(),
        "cases": {
            "value": received,
            "definition": _("Cases addressed to the deputy (their QR code, their visits) submitted in the period."),
            "url": cases_url(),
        },
        "by_state": [
            {"state": code, "label": str(label), "value": by_state[code], "url": cases_url(state__exact=code)}
            for code, label in State.choices
            if by_state.get(code)
        ],
        "by_category": [
            {
                "name": row["category__name"] or _("Uncategorised"),
                "value": row["n"],
                "url": cases_url(**{"category__id__exact": row["category_id"]})
                if row["category_id"]
                else cases_url(category__isnull="1"),
            }
            for row in by_category
        ],
        "reply_rate": _rate(
            stats["reply_rate"]["numerator"],
            stats["reply_rate"]["denominator"],
            stats["reply_rate"]["definition"],
            cases_url(first_replied_at__isnull="0", accepted_at__isnull="0", state__in=_NOT_REJECTED),
            cases_url(accepted_at__isnull="0", state__in=_NOT_REJECTED),
        ),
        "answered_on_time": _rate(
            on_time["numerator"],
            on_time["denominator"],
            on_time["definition"],
            cases_url(last_reply_on_time__exact="1"),
            cases_url(last_reply_on_time__isnull="0"),
        ),
        "satisfaction": _rate(
            satisfaction["numerator"],
            satisfaction["denominator"],
            satisfaction["definition"],
            cases_url(rating__in=f"{Rating.SATISFIED},{Rating.BASICALLY_SATISFIED}"),
            cases_url(rating__in=",".join(Rating.values)),
        ),
        "reception_days": _reception_days(user, deputy, cases, first_day, last_day, today, cases_url),
    }
    record.update(_activities(user, deputy, first_day, last_day, today))
    record["empty"] = not (
        received or record["reception_days"]["value"] or record["activities"]["value"] or record["topics"]["value"]
    )
    return record


def _reception_days(user, deputy, cases, first_day, last_day, today, cases_url) -> dict:
    """Days the deputy received voters: duty slots of the roster (接待日) up to today at the
    stations the reader may see, and days on which they recorded a voter's problem on a visit."""
    scope = scope_of(user)
    slots = DutySlot.objects.filter(deputy=deputy, date__gte=first_day, date__lte=min(last_day, today))
    if not scope.is_superuser:
        slots = slots.filter(scope.station_filter("station__"))
    roster = set(slots.values_list("date", flat=True))
    visits = set(
        cases.filter(channel=Channel.DEPUTY_VISIT)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("day", flat=True)
        .distinct()
    )
    return {
        "value": len(roster | visits),
        "roster": len(roster),
        "visits": len(visits),
        "definition": _(
            "Distinct days on which the deputy received voters: their reception days (接待日) on the roster, up to "
            "today, and the days they recorded a voter's problem on a visit."
        ),
        "roster_url": _admin_list(
            "stations_dutyslot",
            deputy__exact=deputy.pk,
            date__gte=first_day.isoformat(),
            date__lte=min(last_day, today).isoformat(),
        ),
        "visits_url": cases_url(channel__exact=Channel.DEPUTY_VISIT),
    }


def _activities(user, deputy, first_day, last_day, today) -> dict:
    """Activities attended (as the dashboard's deputy table counts them), the topics the deputy
    raised there and the promises made on them that fell due."""
    visible = activities_visible_to(user)
    held = visible.filter(date__gte=first_day, date__lte=last_day, status__in=_HELD)
    attended = list(
        Participation.objects.filter(attended=True, deputy=deputy, activity__in=held).values_list(
            "activity_id", "activity__kind"
        )
    )
    kinds: dict[str, list[int]] = {}
    for activity_id, kind in attended:
        kinds.setdefault(kind, []).append(activity_id)
    topics = ActivityItem.objects.filter(
        raised_by=deputy, activity__in=visible, activity__date__gte=first_day, activity__date__lte=last_day
    )
    topic_ids = list(topics.values_list("pk", flat=True))
    due = (
        ActivityItem.objects.filter(raised_by=deputy, activity__in=visible, deadline__gte=first_day)
        .filter(deadline__lte=last_day)
        .exclude(measure="")
        .filter(Q(deadline__lt=today) | Q(kept_at__isnull=False))
    )
    due_ids, kept_ids = [], []
    for pk, kept_at, deadline in due.values_list("pk", "kept_at", "deadline"):
        due_ids.append(pk)
        if kept_at is not None and kept_at <= deadline:
            kept_ids.append(pk)
    activity_list = "activities_activity"
    return {
        "activities": {
            "value": len(attended),
            "definition": _("Activities held in the period that the deputy attended, every kind."),
            "url": _admin_list(activity_list, id__in=_ids(a for a, _k in attended)),
            "by_kind": [
                {
                    "kind": code,
                    "label": str(label),
                    "value": len(kinds.get(code, [])),
                    "url": _admin_list(activity_list, id__in=_ids(kinds.get(code, []))),
                    "named": code in NAMED_KINDS,
                }
                for code, label in Kind.choices
                if kinds.get(code) or code in NAMED_KINDS
            ],
        },
        "topics": {
            "value": len(topic_ids),
            "definition": _("Items the deputy raised at activities held in the period (问政事项, 约见事项)."),
            "url": _admin_list("activities_activityitem", id__in=_ids(topic_ids)),
        },
        "promises_kept": _rate(
            len(kept_ids),
            len(due_ids),
            _(
                "Promises made on the deputy's items kept by their deadline ÷ those due in the period (deadline in "
                "the period and passed, or already kept)."
            ),
            _admin_list("activities_activityitem", id__in=_ids(kept_ids)),
            _admin_list("activities_activityitem", id__in=_ids(due_ids)),
        ),
    }


def report_stations(user) -> QuerySet:
    """The stations whose quarterly report `user` may ask for and read: their staff's and their
    township's; every station for superusers. Deputies report on themselves only."""
    from stations.models import Station

    scope = scope_of(user)
    if scope.is_superuser:
        return Station.objects.all()
    return Station.objects.filter(scope.staff_station_filter())


def reports_visible_to(user) -> QuerySet:
    """Reports on a deputy whose record the user reads, or on a station they report on."""
    from records.models import Report

    if scope_of(user).is_superuser:
        return Report.objects.all()
    return Report.objects.filter(Q(deputy__in=record_deputies(user)) | Q(station__in=report_stations(user)))
