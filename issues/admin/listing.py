"""The case list at millions of cases: nothing on the page grows with the number of rows.

- The paginator counts up to a cap (issues.pagination.CappedPaginator): past it the list says
  "more than 10,000" instead of counting every row of a province; a late page raises the cap to
  reach it. A page reads its ids first, then its rows (see issues.pagination).
- The station and deputy filters list the stations and deputies of the user's scope, read from
  those small tables, not rebuilt from the distinct values of every case; past CHOICES_MAX of
  them the list is left out (the filter still works from a link).
- A search for a whole case code looks the code up in its unique index instead of scanning
  every case's text.
The filters' counts (one COUNT per choice over every case in scope) are on request: see
issues.admin.queue.QueueChangeList."""

import re

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.db.models import Q

from deputies.models import Deputy, Stationing
from issues.pagination import COUNT_CAP, CappedPaginator
from issues.permissions import scope_of
from stations.models import Station

CHOICES_MAX = 300
# A whole short code as read out ("K7QM-3XPA", "k7qm3xpa") or a 32-character tracking code.
_SHORT_CODE = re.compile(r"^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4,5}$")
_TRACKING_CODE = re.compile(r"^[0-9A-Za-z_-]{20,32}$")


def requested_page(request) -> int:
    try:
        return max(1, int(request.GET.get(PAGE_VAR, 1)))
    except ValueError:
        return 1


class ScaleListMixin:
    """For a ModelAdmin of cases: the capped paginator and the code search."""

    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A late page (page 500 of a province) must exist: count far enough to reach it.
        cap = max(COUNT_CAP, requested_page(request) * per_page)
        return CappedPaginator(
            queryset, per_page, cap=cap, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        # A word of eight letters is a word: only a code-shaped term with a digit or its dash is
        # taken for a code (a code without either is still found by the admin's own search).
        if _SHORT_CODE.match(term) and ("-" in term or any(c.isdigit() for c in term)):
            dashed = term.upper() if "-" in term else f"{term[:4]}-{term[4:]}".upper()
            return queryset.filter(Q(short_code__in={term, term.upper(), dashed}) | Q(tracking_code=term)), False
        if _TRACKING_CODE.match(term) and not term.isdigit():
            return queryset.filter(tracking_code=term), False
        return super().get_search_results(request, queryset, search_term)


class _ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """Choices read from the scope's rows of the related table (`rows`), by name; past
    CHOICES_MAX of them only the chosen one is listed, so that the sidebar says what filters."""

    def rows(self, request):
        raise NotImplementedError

    def field_choices(self, field, request, model_admin):
        rows = self.rows(request)
        choices = list(rows.values_list("pk", "name")[: CHOICES_MAX + 1])
        if len(choices) <= CHOICES_MAX:
            return choices
        chosen = [int(v) for v in self.lookup_val or [] if str(v).isdigit()]
        return list(rows.filter(pk__in=chosen).values_list("pk", "name")) if chosen else []

    def has_output(self):
        # Listed even without choices while it filters: the list must keep applying it.
        return super().has_output() or bool(self.lookup_val)


class ScopedStationFilter(_ScopedRelatedFilter):
    """The stations of the user's scope."""

    def rows(self, request):
        scope = scope_of(request.user)
        stations = Station.objects.order_by("name", "pk")
        return stations if scope.is_superuser else stations.filter(scope.station_filter())


class ScopedDeputyFilter(_ScopedRelatedFilter):
    """The deputies stationed at the user's stations (and the deputy themself)."""

    def rows(self, request):
        scope = scope_of(request.user)
        deputies = Deputy.objects.order_by("name", "pk")
        if scope.is_superuser:
            return deputies
        q = Q(pk__in=Stationing.objects.filter(scope.station_filter("station__")).values("deputy_id"))
        if scope.deputy_id is not None:
            q |= Q(pk=scope.deputy_id)
        return deputies.filter(pk__in=Deputy.objects.filter(q).values("pk"))
