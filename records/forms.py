"""The period of a duty record: this month, quarter or year (as on the dashboard) or two days."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.forms import FIRST_DAY, LAST_DAY, Period, period_days
from issues import clock


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.CHOICES, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not FIRST_DAY <= data[name] <= LAST_DAY:
                self.add_error(name, _("Choose a day between 2000 and 2099."))
        if data.get("period") == Period.CUSTOM or data.get("start") or data.get("end"):
            if not data.get("start") or not data.get("end"):
                self.add_error("start", _("Give both days of a custom period."))
            elif data["end"] < data["start"]:
                self.add_error("end", _("The end comes before the start."))
        return data

    def days(self) -> tuple[date, date]:
        """(first day, last day) of the valid period; this year when the input is invalid."""
        today = timezone.localdate(clock.now())
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return data["start"], data["end"]
        return period_days(data.get("period") or Period.YEAR, today)
