from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.tokens import new_public_token

# Sent inside the transaction that moves a region (with its subtree) or a station to another
# region, so that whatever copies a region path (issues.Issue.region_path) follows in the same
# transaction. `old_path` and `new_path` are prefixes: every copy starting with `old_path` is
# rewritten to start with `new_path`; a station's move also names it (`station_id`).
region_path_moved = Signal()


class Region(models.Model):
    """An administrative area (行政区划): province › city › district/county › township/subdistrict › village.

    `path` is the chain of ancestor ids ("/1/4/9/"), so "everything in this region" is one
    indexed prefix match instead of a recursive walk.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        DISTRICT = "district", _("district or county")
        TOWNSHIP = "township", _("township or subdistrict")
        VILLAGE = "village", _("village or community")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("division code"), max_length=20, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        old_path = self.path
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if old_path != new_path:
            Region.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:  # moved under another parent: carry the subtree, and its cases, along
                for child in Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Region.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])
                region_path_moved.send(sender=Region, old_path=old_path, new_path=new_path)
            self.path = new_path

    @property
    def full_name(self) -> str:
        """The names from the top down (舟山市定海区白泉镇潮面村), in one query through `path`."""
        ids = [int(part) for part in self.path.strip("/").split("/") if part.isdigit()]
        if self.pk is None or not ids or ids[-1] != self.pk:  # not saved yet: walk the parents
            names, node = [], self
            while node is not None:
                names.append(node.name)
                node = node.parent
            return "".join(reversed(names))
        names = dict(Region.objects.filter(pk__in=ids[:-1]).values_list("pk", "name"))
        return "".join(names.get(pk, "") for pk in ids[:-1]) + self.name


class Station(models.Model):
    """A liaison station (人大代表联络站), liaison point (联络点) or livelihood shop (民生小铺)."""

    class Kind(models.TextChoices):
        STATION = "station", _("liaison station")
        POINT = "point", _("liaison point")
        SHOP = "shop", _("livelihood shop")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STATION)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="stations")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    qr_token = models.CharField(_("QR token"), max_length=32, unique=True, default=new_public_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="station_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        before = None
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and not self._state.adding and (update_fields is None or "region" in update_fields):
            before = Station.objects.filter(pk=self.pk).values_list("region_id", flat=True).first()
        super().save(*args, **kwargs)
        if before is not None and before != self.region_id:
            new_path = Region.objects.values_list("path", flat=True).get(pk=self.region_id)
            region_path_moved.send(sender=Station, old_path=None, new_path=new_path, station_id=self.pk)


class DutySlot(models.Model):
    """A reception day (接待日 / 轮值): a deputy receives voters at a station on a date."""

    deputy = models.ForeignKey(
        "deputies.Deputy", verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="duty_slots"
    )
    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="duty_slots")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty slot")
        verbose_name_plural = _("duty slots")
        ordering = ["date", "start_time"]
        constraints = [models.UniqueConstraint(fields=["deputy", "date"], name="dutyslot_one_per_deputy_per_day")]
        indexes = [models.Index(fields=["station", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.station} {self.deputy}"


class StaffMembership(models.Model):
    """Who a staff account works for: a station's staff (联络站工作人员), a township's
    people's-congress office (乡镇人大 / 街道人大工委), which watches a whole region read-only, or
    the administrator (管理员) of a county, city or province, who runs the stations, deputies,
    departments, staff accounts and platform settings of that region (a tenant of the network)."""

    class Role(models.TextChoices):
        STATION_STAFF = "station_staff", _("station staff")
        TOWNSHIP_STAFF = "township_staff", _("township staff")
        COUNTY_ADMIN = "county_admin", _("county administrator")
        CITY_ADMIN = "city_admin", _("city administrator")
        PROVINCE_ADMIN = "province_admin", _("province administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), null=True, blank=True, on_delete=models.CASCADE, related_name="staff"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE, related_name="staff"
    )

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="station_staff", station__isnull=False, region__isnull=True)
                    | models.Q(
                        role__in=["township_staff", "county_admin", "city_admin", "province_admin"],
                        region__isnull=False,
                        station__isnull=True,
                    )
                ),
                name="staffmembership_station_or_region_by_role",
            ),
            models.UniqueConstraint(fields=["user", "role", "station", "region"], name="staffmembership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.station or self.region}"

    def clean(self) -> None:
        level = ADMIN_ROLE_LEVELS.get(self.role)
        if level is not None and self.region_id is not None and self.region.level != level:
            raise ValidationError(
                {
                    "region": _("This role is bound to a region of the level %(level)s.")
                    % {"level": Region.Level(level).label}
                }
            )


# The region level each administrator role is bound to (how far each reaches: stations.scope.ADMIN_RANK).
ADMIN_ROLE_LEVELS = {
    StaffMembership.Role.COUNTY_ADMIN: Region.Level.DISTRICT,
    StaffMembership.Role.CITY_ADMIN: Region.Level.CITY,
    StaffMembership.Role.PROVINCE_ADMIN: Region.Level.PROVINCE,
}


class RetiredStationToken(models.Model):
    """A station's QR token that no longer accepts cases (作废的联络站码), after a rotation. Its URL
    still answers with a friendly page that points at the station's current page."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="retired_tokens"
    )
    token = models.CharField(_("QR token"), max_length=32, unique=True)
    retired_at = models.DateTimeField(_("retired at"), default=timezone.now)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("retired by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("retired station QR token")
        verbose_name_plural = _("retired station QR tokens")
        ordering = ["-retired_at"]

    def __str__(self) -> str:
        return f"{self.station.name} · {self.retired_at:%Y-%m-%d}"


class CalendarDay(models.Model):
    """One day of the State Council's holiday schedule (国务院办公厅 放假安排), entered by hand
    when it is published: a day off (放假) or a make-up working day (调休上班).

    Rows override the `chinesecalendar` package, which learns each year's schedule only with a
    new release: a year the package does not know counts as scheduled once it has a holiday
    here (every year's notice has 元旦 and 春节). Deadlines read this table through
    issues.workdays, which caches it."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday (day off)")
        WORKDAY = "workday", _("make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40, help_text=_("The holiday it belongs to, e.g. 春节."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The workday cache compares (row count, latest change) to notice edits made by another process.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday schedule day")
        verbose_name_plural = _("holiday schedule")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["holiday", "workday"]), name="calendarday_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name} · {self.get_kind_display()}"

    def clean(self) -> None:
        # Make-up working days (调休) always fall on a weekend; one on a weekday is a typo that
        # would change nothing, or a holiday entered as the wrong kind.
        if self.kind == self.Kind.WORKDAY and self.date is not None and self.date.weekday() < 5:
            raise ValidationError({"kind": _("A make-up working day falls on a Saturday or a Sunday.")})
