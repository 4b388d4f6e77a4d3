""" "Me too" (我也遇到): the open problems a station chose to show on its public page, and the
villagers who said they have the same problem."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class PublicCall(models.Model):
    """An open case its station shows on its public page to gather the same problem from others
    (公开征集同类反映): the text staff reviewed after de-identification, never the villager's own.
    Nothing is shown unless staff chose to; hidden again, or no longer open, it leaves the page."""

    issue = models.OneToOneField(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="public_call"
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="public_calls"
    )
    text = models.TextField(_("problem, as shown"))
    shown_at = models.DateTimeField(_("shown at"), default=clock.now)
    shown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shown by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem shown for “me too”")
        verbose_name_plural = _("problems shown for “me too”")
        indexes = [models.Index(fields=["station", "hidden_at", "shown_at"])]

    def __str__(self) -> str:
        return f"{self.station} · {self.issue}"

    @property
    def is_live(self) -> bool:
        return self.hidden_at is None


class Seconding(models.Model):
    """A villager's "me too" (我也遇到) on a shown problem: one per device and one per mobile
    number, both backed by unique constraints so that a double tap or a race counts once. The
    phone, when left with consent, gets the case's texts as the villager's own does (issues.sms)."""

    issue = models.ForeignKey(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="secondings"
    )
    # SHA-256 of the device's signed cookie value: enough to recognise the phone, nothing more.
    device = models.CharField(_("device"), max_length=64, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    sms_consent = models.BooleanField(_("agreed to text messages"), default=False)
    created_at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        verbose_name = _("“me too”")
        verbose_name_plural = _("“me too”s")
        constraints = [
            models.UniqueConstraint(fields=["issue", "device"], name="seconding_one_per_device"),
            models.UniqueConstraint(
                fields=["issue", "phone"], condition=~models.Q(phone=""), name="seconding_one_per_phone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} +1"
