"""The filters of the staff case list. They narrow a queryset that is already scoped by
issues_visible_to; ids outside the scope simply match nothing (never an error that would
confirm they exist)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models import OPEN_STATES, Channel, Issue, State
from issues.selectors import overdue

# The largest id the databases hold (a 64-bit signed integer): a larger number matches nothing,
# but must not reach SQLite, which refuses to bind it.
MAX_ID = 2**63 - 1


def _id_filter(field_name: str, label) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(
        field_name=field_name, label=label, min_value=1, max_value=MAX_ID, decimal_places=0
    )


class IssueFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("state"))
    station = _id_filter("station_id", _("station id"))
    deputy = _id_filter("deputy_id", _("deputy id"))
    category = _id_filter("category_id", _("category id"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue now"))
    created_after = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("submitted at or after")
    )
    created_before = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label=_("submitted before")
    )
    search = django_filters.CharFilter(
        method="filter_search", label=_("tracking code, short code or words of the content")
    )

    class Meta:
        model = Issue
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return overdue(queryset)
        # The complement of issues.selectors.overdue (which has no "not" form).
        return queryset.exclude(state__in=OPEN_STATES, deadline__lt=clock.now())

    def filter_search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        short = text.upper().replace(" ", "")
        if len(short) == 8 and "-" not in short:
            short = f"{short[:4]}-{short[4:]}"  # read out without the dash
        return queryset.filter(Q(tracking_code=text) | Q(short_code=short) | Q(content__icontains=text))
