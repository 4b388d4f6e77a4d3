from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.tokens import new_public_token


class Deputy(models.Model):
    """A people's-congress deputy (人大代表) of one level, national down to township."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        CITY = "city", _("city")
        COUNTY = "county", _("district or county")
        TOWNSHIP = "township", _("township")

    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy",
    )
    photo = models.ImageField(_("photo"), upload_to="deputies/", blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    qr_token = models.CharField(_("QR token"), max_length=32, unique=True, default=new_public_token, editable=False)
    is_active = models.BooleanField(_("serving"), default=True)
    stations = models.ManyToManyField(
        "stations.Station", through="Stationing", related_name="deputies", verbose_name=_("stations")
    )

    class Meta:
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class StationingQuerySet(models.QuerySet):
    def current(self, on=None):
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=day))


class Stationing(models.Model):
    """A deputy stationed at a station (进驻): resident (常驻) or visiting, for a period."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("resident")
        VISITING = "visiting", _("visiting")

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="stationings")
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="stationings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VISITING)
    start_date = models.DateField(_("from"), default=timezone.localdate)
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = StationingQuerySet.as_manager()

    class Meta:
        verbose_name = _("stationing")
        verbose_name_plural = _("stationings")
        ordering = ["station", "-kind", "deputy__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="stationing_ends_after_start",
            ),
            models.UniqueConstraint(fields=["deputy", "station", "start_date"], name="stationing_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy.name} @ {self.station} ({self.get_kind_display()})"

    def clean(self) -> None:
        """A deputy is resident (常驻) at one station at a time: a second, overlapping resident
        stationing would silently decide where their QR code sends villagers."""
        if self.kind != self.Kind.RESIDENT or self.deputy_id is None or self.start_date is None:
            return
        overlapping = (
            Stationing.objects.filter(deputy_id=self.deputy_id, kind=self.Kind.RESIDENT)
            .exclude(pk=self.pk)
            .filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=self.start_date))
        )
        if self.end_date is not None:
            overlapping = overlapping.filter(start_date__lte=self.end_date)
        if self.station_id is not None:
            overlapping = overlapping.exclude(station_id=self.station_id, start_date=self.start_date)
        other = overlapping.select_related("station").first()
        if other is not None:
            raise ValidationError(
                _("%(deputy)s is already resident at %(station)s for these dates; end that stationing first.")
                % {"deputy": self.deputy.name, "station": other.station.name}
            )


class RetiredDeputyToken(models.Model):
    """A deputy's QR token that no longer accepts cases (作废的代表码): the poster was lost or
    misprinted and the token was rotated. Its URL still answers, sending the villager on to the
    deputy's station instead."""

    deputy = models.ForeignKey(
        Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="retired_tokens"
    )
    token = models.CharField(_("QR token"), max_length=32, unique=True)
    retired_at = models.DateTimeField(_("retired at"), default=timezone.now)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("retired by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("retired deputy QR token")
        verbose_name_plural = _("retired deputy QR tokens")
        ordering = ["-retired_at"]

    def __str__(self) -> str:
        return f"{self.deputy.name} · {self.retired_at:%Y-%m-%d}"
