"""The dashboard's filters: period, region, station, category, channel, with choices limited to
what the user may see (an id outside the scope is an invalid choice, never a way in)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models import Category, Channel
from issues.permissions import scope_of
from issues.stats import figure_stations
from stations.models import Region

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class Period:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"
    CHOICES = [
        (MONTH, _("This month")),
        (QUARTER, _("This quarter")),
        (YEAR, _("This year")),
        (CUSTOM, _("Custom dates")),
    ]


@dataclass(frozen=True)
class Filters:
    """What the figures are taken over; `end` is exclusive, `last_day` inclusive."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date
    period: str = Period.YEAR
    region: Region | None = None
    station: object = None
    category: Category | None = None
    channel: str = ""

    def key(self) -> dict:
        """The filters as plain values (a snapshot's key)."""
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            **{k: v for k, v in self.stats_kwargs().items() if k not in ("start", "end")},
        }

    def stats_kwargs(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "station_id": self.station.pk if self.station else None,
            "region_id": self.region.pk if self.region else None,
            "category_id": self.category.pk if self.category else None,
            "channel": self.channel or None,
        }


def regions_for(user):
    """Regions a user may filter by: any for superusers; their townships and below for township
    staff; none for others (their stations are the finer filter)."""
    scope = scope_of(user)
    regions = Region.objects.exclude(level=Region.Level.VILLAGE).order_by("path")
    if scope.is_superuser:
        return regions
    if not scope.region_paths:
        return Region.objects.none()
    return regions.filter(scope.region_filter())


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_days(period: str, today: date) -> tuple[date, date]:
    if period == Period.MONTH:
        first = today.replace(day=1)
    elif period == Period.QUARTER:
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    else:
        first = today.replace(month=1, day=1)
    return first, today


class FilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.CHOICES, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)
    station = forms.ModelChoiceField(label=_("Station"), queryset=Region.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)
        self.fields["region"].empty_label = _("All my regions")
        self.fields["station"].queryset = figure_stations(user).order_by("region__path", "name")
        self.fields["station"].empty_label = _("All stations")
        self.fields["category"].empty_label = _("All categories")
        self.fields["period"].initial = Period.YEAR

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not FIRST_DAY <= data[name] <= LAST_DAY:
                self.add_error(name, _("Choose a day between 2000 and 2099."))
        if data.get("period") == Period.CUSTOM:
            if not data.get("start") or not data.get("end"):
                self.add_error("start", _("Give both days of a custom period."))
            elif data["end"] < data["start"]:
                self.add_error("end", _("The end comes before the start."))
        return data

    def filters(self) -> Filters:
        """The filters to apply: the valid fields; the default (this year) for what is invalid."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        today = timezone.localdate(clock.now())
        period = data.get("period") or Period.YEAR
        if period == Period.CUSTOM and not any(k in self.errors for k in ("start", "end")) and data.get("start"):
            first, last = data["start"], data["end"]
        else:
            period = period if period != Period.CUSTOM else Period.YEAR
            first, last = period_days(period, today)
        return Filters(
            start=_day_start(first),
            end=_day_start(last + timedelta(days=1)),
            first_day=first,
            last_day=last,
            period=period,
            region=data.get("region"),
            station=data.get("station"),
            category=data.get("category"),
            channel=data.get("channel") or "",
        )


def filters_for(request) -> tuple[FilterForm, Filters]:
    form = FilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()
    return form, form.filters()
