"""Reads of the results wall: what a station's wall shows, the cases staff may publish, and
whether a case is on the wall (for the villager's tracking page)."""

from issues.models import Issue, State
from issues.permissions import scope_of
from results.models import Publication

ANSWERED = (State.REPLIED, State.EVALUATED, State.CLOSED)


def wall_of(station, limit: int = 50) -> list[Publication]:
    """The station's live publications, newest first, with each case's latest rating."""
    return list(
        Publication.objects.filter(station=station, withdrawn_at__isnull=True)
        .select_related("issue", "issue__category")
        .only("problem", "answer", "days_taken", "published_at", "issue__rating", "issue__category__name")
        .order_by("-published_at")[:limit]
    )


def publishable_cases(user, limit: int = 100) -> list[Issue]:
    """Answered cases of the user's stations (staff and admins) that are not on a wall, and that
    no villager asked to take down."""
    from django.db.models import Q

    scope = scope_of(user)
    off_the_wall = Q(publication__isnull=True) | Q(
        publication__withdrawn_at__isnull=False, publication__withdrawn_by_villager=False
    )
    cases = Issue.objects.filter(off_the_wall, state__in=ANSWERED).exclude(reply_text="")
    if not scope.is_superuser:
        cases = cases.filter(station_id__in=scope.staff_station_ids)
    return list(cases.select_related("station").order_by("-replied_at")[:limit])


def publication_of(issue) -> Publication | None:
    return Publication.objects.filter(issue=issue).first()


def publications_visible_to(user):
    scope = scope_of(user)
    found = Publication.objects.select_related("issue", "station")
    return found if scope.is_superuser else found.filter(scope.station_filter("station__"))
