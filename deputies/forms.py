"""Stationing a deputy at a station (进驻), as the station's staff do it in the admin.

Stationing decides where a deputy's QR code sends villagers, and who sees the deputy's private
phone and token. So station staff may station only deputies already serving at a station they
edit (moving or renewing them), never back-date a stationing, and no deputy is resident at two
stations at once; bringing in a deputy from elsewhere needs someone with authority over both
(a superuser)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy, Stationing


def stationable_deputies(station_ids: frozenset[int] | None):
    """Deputies whom the editor of `station_ids` (None: every station) may station."""
    deputies = Deputy.objects.filter(is_active=True)
    if station_ids is None:
        return deputies
    serving = Stationing.objects.current().filter(station_id__in=station_ids).values("deputy_id")
    return deputies.filter(pk__in=serving)


class StationingForm(forms.ModelForm):
    """One stationing row; `may_backdate` is set for superusers by the admin."""

    may_backdate = False

    class Meta:
        model = Stationing
        fields = ["deputy", "kind", "start_date", "end_date"]

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if self.may_backdate or start is None:
            return start
        moved_earlier = self.instance.pk is None or start < self.instance.start_date
        if moved_earlier and start < timezone.localdate():
            raise forms.ValidationError(
                _("A stationing cannot start in the past; ask an administrator to record an earlier one.")
            )
        return start
