"""The dashboard page's figures for one user and one query string, through the snapshots
(dashboard.snapshots): what the page and its print view serve, what the task computes when a
reader asked for a big scope, and what beat refreshes."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.utils import translation
from django.utils.dateparse import parse_datetime

from dashboard.forms import FilterForm, Filters, Period
from dashboard.models import FigureSnapshot, SnapshotRequest
from dashboard.selectors import dashboard_data
from dashboard.snapshots import (
    REFRESH_READ_WITHIN,
    Served,
    figures_for,
    figures_served,
    inline_max_cases,
    snapshot_refresh,
    snapshot_request_done,
    snapshots_prune,
)
from issues import clock
from issues.stats import figure_cases, issue_stats
from liaison.replica import from_replica, on_replica
from stations.models import StaffMembership

logger = logging.getLogger(__name__)
KIND = "page"
STATS_KIND = "api"  # /api/stats/ (api.figures), keyed by its filters
STATS_STALE_WITHIN = timedelta(hours=1)


def _filters(user, params) -> tuple[FilterForm, Filters]:
    form = FilterForm(params or None, user=user)
    if form.is_bound:
        form.is_valid()
    return form, form.filters()


def _query_string(params) -> str:
    if isinstance(params, QueryDict):
        return params.urlencode()
    query = QueryDict(mutable=True)
    query.update(params or {})
    return query.urlencode()


def is_small(user, f: Filters) -> bool:
    """At most DASHBOARD_INLINE_MAX_CASES cases under these filters (a capped count: fast at any size)."""
    n = inline_max_cases()
    return from_replica(figure_cases(user, **f.stats_kwargs())).order_by()[: n + 1].count() <= n


def page_store(user, params) -> None:
    """Compute the page's snapshot for `user` and `params` now and keep it (the task of a
    reader's request, which holds the key's request meanwhile)."""
    _form, f = _filters(user, params)
    figures_for(
        KIND, user, f.key(), lambda: on_replica(dashboard_data, user, f), refresh=True, query=_query_string(params)
    )


def page_refresh(user, params) -> bool:
    """Compute and keep the page's snapshot for `user` and `params` (the scheduled refresh),
    unless a reader's request for it is pending (dashboard.snapshots.snapshot_refresh)."""
    _form, f = _filters(user, params)
    return snapshot_refresh(
        KIND, user, f.key(), lambda: on_replica(dashboard_data, user, f), query=_query_string(params)
    )


def served_page_figures(user, params: QueryDict) -> tuple[FilterForm, Filters, Served]:
    """What a reader of the page gets (dashboard.snapshots.figures_served): never a wait for a
    live computation over more than DASHBOARD_INLINE_MAX_CASES cases."""
    form, f = _filters(user, params)
    served = figures_served(
        KIND,
        user,
        f.key(),
        query=_query_string(params),
        compute=lambda: on_replica(dashboard_data, user, f),
        small=lambda: is_small(user, f),
    )
    return form, f, served


def _stats_kwargs(query: str) -> dict:
    """The API's figure filters back from a request's query (stats_query)."""
    kwargs = json.loads(query)
    for name in ("start", "end"):
        if kwargs.get(name):
            kwargs[name] = parse_datetime(kwargs[name])
    return kwargs


def stats_query(kwargs: dict) -> str:
    return json.dumps(kwargs, sort_keys=True, cls=DjangoJSONEncoder)


def _stats(user, kwargs: dict) -> dict:
    return on_replica(issue_stats, user, **kwargs, extra_figures=True)


def served_stats(user, kwargs: dict) -> dict:
    """/api/stats/'s figures (issues.stats.issue_stats with the extra figures): a fresh snapshot;
    one at most STATS_STALE_WITHIN old, with a newer one asked for (its `computed_at` says how
    old it is); else computed now, as an API caller expects an answer, and kept."""
    served = figures_served(
        STATS_KIND,
        user,
        kwargs,
        query=stats_query(kwargs),
        compute=lambda: _stats(user, kwargs),
        small=lambda: True,
        stale_within=STATS_STALE_WITHIN,
    )
    return served.data


def _compute_with(user, query: str, language: str, *, claim: bool = False) -> bool:
    with translation.override(language or settings.LANGUAGE_CODE):
        if claim:
            return page_refresh(user, QueryDict(query))
        page_store(user, QueryDict(query))
        return True


def snapshot_compute_requested(*, key: str) -> bool:
    """Compute the snapshot a reader asked for, with their scope as of now (a user who lost
    access gets the figures of their new scope, under its key: never those of the old one), and
    release the request. False when there is nothing to do. A failure leaves the request, asked
    again by the next reader once it is DASHBOARD_SNAPSHOT_REQUEST_TIMEOUT old."""
    request = SnapshotRequest.objects.select_related("user").filter(key=key).first()
    if request is None:
        return False
    if request.kind == KIND and request.user.is_active:
        _compute_with(request.user, request.query, request.language)
    elif request.kind == STATS_KIND and request.user.is_active:
        kwargs = _stats_kwargs(request.query)
        with translation.override(request.language or settings.LANGUAGE_CODE):
            figures_for(
                STATS_KIND,
                request.user,
                kwargs,
                lambda: _stats(request.user, kwargs),
                refresh=True,
                query=request.query,
            )
    snapshot_request_done(request)
    return True


def snapshots_refresh() -> int:
    """Refresh every region watched by township staff or run by an administrator, and the whole
    network (a superuser's view), for this month, quarter and year; then every snapshot read in
    the last REFRESH_READ_WITHIN, with its last reader; delete those unread for a week. Those a
    reader's pending request covers are left to its task. The number of snapshots computed."""
    started = clock.now()
    users = []
    seen_regions = set()
    for m in StaffMembership.objects.exclude(role=StaffMembership.Role.STATION_STAFF).select_related("user"):
        if m.region_id not in seen_regions and m.user.is_active:
            seen_regions.add(m.region_id)
            users.append(m.user)
    admin = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is not None:
        users.append(admin)
    todo = [(user, f"period={period}", "") for user in users for period in (Period.MONTH, Period.QUARTER, Period.YEAR)]
    read = (
        FigureSnapshot.objects.filter(
            kind=KIND, read_at__gte=started - REFRESH_READ_WITHIN, computed_at__lt=started, user__is_active=True
        )
        .select_related("user")
        .defer("data")
        .order_by("-read_at")
    )
    todo += [(snap.user, snap.query, snap.language) for snap in read]
    count = 0
    for user, query, language in todo:
        try:
            count += _compute_with(user, query, language, claim=True)
        except Exception:  # one scope failing (a statement timeout) must not stop the others
            logger.exception("could not refresh the dashboard of %s for %r", user.pk, query)
    snapshots_prune(started)
    return count
