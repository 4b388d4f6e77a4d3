"""The four rosters as django-import-export resources: deputies, stations, stationings and duty
slots. Each row is parsed and checked here (scope, formulas, dates, phones, duplicates) and
refused with its reasons; the library runs the rows, the preview (a dry run) and the rollback.

The column headings are the template's, in Chinese: the files are filled in by station staff
in Excel, and the headings are a file format, the same whatever the reader's language."""

import re
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources

from deputies.models import Deputy, Stationing
from issues.permissions import scope_of
from rosters.parsing import is_formula
from stations.models import DutySlot, Region, Station

_PHONE = re.compile(r"^1\d{10}$")


def _choices(choices) -> dict[str, str]:
    """code → code, and each label in English and Chinese → code (what staff type in)."""
    out = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for code, label in choices:
                out[str(code).lower()] = code
                out[str(label).lower()] = code
    return out


class RosterResource(resources.ModelResource):
    """Rows are cleaned by `clean_row` (a dict of model attributes, or ValidationError with the
    reasons), matched by `find`, and applied as they are."""

    required: tuple[str, ...] = ()

    def __init__(self, user):
        super().__init__()
        self.user = user
        self.scope = scope_of(user)
        self._values: dict = {}
        self._seen: dict = {}
        self._row = 0

    # --- what the template holds ---------------------------------------------------------------

    columns: tuple[str, ...] = ()
    lines: list[int] = []  # the file's line of each row, set by the service
    progress = None  # called with the number of rows run so far, set by the service

    @property
    def editable_stations(self):
        stations = Station.objects.filter(is_active=True)
        return stations if self.scope.is_superuser else stations.filter(pk__in=self.scope.staff_station_ids)

    # --- the library's hooks -------------------------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        self._row += 1
        if self.progress is not None:
            self.progress(self._row)
        reasons = [
            _("“%(column)s” looks like a spreadsheet formula: type the value itself.") % {"column": column}
            for column, value in row.items()
            if is_formula(value)
        ]
        if reasons:
            raise ValidationError(reasons)
        self._values = self.clean_row({k: ("" if v is None else v) for k, v in row.items()})
        instance = self.find(self._values)
        if instance is None:
            return self._meta.model(), True
        return instance, False

    def import_instance(self, instance, row, **kwargs):
        for name, value in self._values.items():
            setattr(instance, name, value)

    # --- helpers for the subclasses --------------------------------------------------------------

    def text(self, row, column, *, required=False, maximum=200) -> str:
        value = str(row.get(column, "")).strip()
        if required and not value:
            raise ValidationError(_("“%(column)s” is empty.") % {"column": column})
        if len(value) > maximum:
            raise ValidationError(_("“%(column)s” is longer than %(n)d characters.") % {"column": column, "n": maximum})
        return value

    def phone(self, row, column) -> str:
        raw = str(row.get(column, "")).strip()
        value = re.sub(r"[\s-]", "", raw.removesuffix(".0"))
        value = value.removeprefix("+86")
        if not _PHONE.match(value):
            raise ValidationError(
                _("“%(column)s” is not a mobile number of 11 digits: %(value)s") % {"column": column, "value": raw}
            )
        return value

    def choice(self, row, column, choices, default=None) -> str:
        value = str(row.get(column, "")).strip().lower()
        if not value and default is not None:
            return default
        code = _choices(choices).get(value)
        if code is None:
            raise ValidationError(
                _("“%(column)s” must be one of: %(options)s")
                % {"column": column, "options": "、".join(str(label) for _c, label in choices)}
            )
        return code

    def day(self, row, column, *, required=True) -> date | None:
        value = row.get(column, "")
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        value = str(value).strip()
        if not value and not required:
            return None
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise ValidationError(
            _("“%(column)s” is not a date like 2026-03-15: %(value)s") % {"column": column, "value": value or "—"}
        )

    def clock_time(self, row, column) -> time | None:
        value = row.get(column, "")
        if isinstance(value, time):
            return value
        if isinstance(value, datetime):
            return value.time()
        value = str(value).strip()
        if not value:
            return None
        for fmt in ("%H:%M", "%H:%M:%S"):
            try:
                return datetime.strptime(value, fmt).time()
            except ValueError:
                continue
        raise ValidationError(
            _("“%(column)s” is not a time like 09:00: %(value)s") % {"column": column, "value": value}
        )

    def station(self, row, column) -> Station:
        name = self.text(row, column, required=True, maximum=100)
        found = list(self.editable_stations.filter(name=name)[:2])
        if not found:
            raise ValidationError(_("Unknown station, or not one of yours: %(name)s") % {"name": name})
        if len(found) > 1:
            raise ValidationError(_("Several stations are called %(name)s: rename one first.") % {"name": name})
        return found[0]

    def deputy_by_phone(self, row, column) -> Deputy:
        phone = self.phone(row, column)
        found = list(Deputy.objects.filter(phone=phone)[:2])
        if len(found) != 1:
            raise ValidationError(
                _("No deputy has the phone %(phone)s: import the deputies first.") % {"phone": phone}
                if not found
                else _("Several deputies have the phone %(phone)s: correct them in the admin.") % {"phone": phone}
            )
        return found[0]

    def once(self, key, label: str) -> None:
        """Refuse the second row of the file about the same thing."""
        line = self.lines[self._row - 1] if self._row <= len(self.lines) else self._row + 1
        if key in self._seen:
            raise ValidationError(
                _("%(what)s is also on line %(n)d of the file.") % {"what": label, "n": self._seen[key]}
            )
        self._seen[key] = line


class StationResource(RosterResource):
    columns = ("名称", "类型", "行政区划代码", "地址", "电话")
    name = fields.Field(attribute="name", column_name="名称")
    kind = fields.Field(attribute="kind", column_name="类型")
    region = fields.Field(attribute="region__code", column_name="行政区划代码")
    address = fields.Field(attribute="address", column_name="地址")
    phone = fields.Field(attribute="phone", column_name="电话")

    class Meta:
        model = Station
        fields = ("name", "kind", "region", "address", "phone")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def clean_row(self, row) -> dict:
        code = self.text(row, "行政区划代码", required=True, maximum=20).removesuffix(".0")
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(_("Unknown division code: %(code)s") % {"code": code})
        name = self.text(row, "名称", required=True, maximum=100)
        self.once(("station", region.pk, name), name)
        return {
            "name": name,
            "region": region,
            "kind": self.choice(row, "类型", Station.Kind.choices, default=Station.Kind.STATION),
            "address": self.text(row, "地址"),
            "phone": self.text(row, "电话", maximum=30).removesuffix(".0"),
        }

    def find(self, values):
        station = Station.objects.filter(region=values["region"], name=values["name"]).first()
        if self.scope.is_superuser:
            return station
        if station is None or station.pk not in self.scope.staff_station_ids:
            raise ValidationError(_("Only an administrator adds a station or changes another station's details."))
        if station.kind != values["kind"]:
            raise ValidationError(_("Only an administrator changes the kind of a station."))
        return station


class DeputyResource(RosterResource):
    columns = ("姓名", "级别", "手机", "职业")
    name = fields.Field(attribute="name", column_name="姓名")
    level = fields.Field(attribute="level", column_name="级别")
    phone = fields.Field(attribute="phone", column_name="手机")
    occupation = fields.Field(attribute="occupation", column_name="职业")

    class Meta:
        model = Deputy
        fields = ("name", "level", "phone", "occupation")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def clean_row(self, row) -> dict:
        phone = self.phone(row, "手机")
        self.once(("deputy", phone), _("The phone %(phone)s") % {"phone": phone})
        return {
            "name": self.text(row, "姓名", required=True, maximum=50),
            "level": self.choice(row, "级别", Deputy.Level.choices),
            "phone": phone,
            "occupation": self.text(row, "职业", maximum=100),
        }

    def find(self, values):
        found = list(Deputy.objects.filter(phone=values["phone"])[:2])
        if len(found) > 1:
            raise ValidationError(_("Several deputies have this phone: correct them in the admin first."))
        deputy = found[0] if found else None
        if deputy is None or self.scope.is_superuser:
            return deputy
        # A deputy stationed nowhere yet (just imported) is nobody else's: their stationing comes next.
        stationings = Stationing.objects.filter(deputy=deputy)
        ours = stationings.filter(station_id__in=self.scope.staff_station_ids).exists() or not stationings.exists()
        if not ours:
            raise ValidationError(_("This phone is already a deputy's who does not serve at your stations."))
        return deputy


class StationingResource(RosterResource):
    columns = ("代表手机", "联络站", "类型", "开始日期", "结束日期")
    deputy = fields.Field(attribute="deputy__phone", column_name="代表手机")
    station = fields.Field(attribute="station__name", column_name="联络站")
    kind = fields.Field(attribute="kind", column_name="类型")
    start_date = fields.Field(attribute="start_date", column_name="开始日期")
    end_date = fields.Field(attribute="end_date", column_name="结束日期")

    class Meta:
        model = Stationing
        fields = ("deputy", "station", "kind", "start_date", "end_date")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def clean_row(self, row) -> dict:
        deputy = self.deputy_by_phone(row, "代表手机")
        station = self.station(row, "联络站")
        start = self.day(row, "开始日期")
        end = self.day(row, "结束日期", required=False)
        if end is not None and end < start:
            raise ValidationError(_("The end date comes before the start date."))
        self.once(("stationing", deputy.pk, station.pk, start), f"{deputy.name} @ {station.name} {start}")
        kind = self.choice(row, "类型", Stationing.Kind.choices, default=Stationing.Kind.VISITING)
        return {"deputy": deputy, "station": station, "kind": kind, "start_date": start, "end_date": end}

    def find(self, values):
        return Stationing.objects.filter(
            deputy=values["deputy"], station=values["station"], start_date=values["start_date"]
        ).first()


class DutySlotResource(RosterResource):
    columns = ("代表手机", "联络站", "日期", "开始时间", "结束时间", "备注")
    deputy = fields.Field(attribute="deputy__phone", column_name="代表手机")
    station = fields.Field(attribute="station__name", column_name="联络站")
    date = fields.Field(attribute="date", column_name="日期")
    start_time = fields.Field(attribute="start_time", column_name="开始时间")
    end_time = fields.Field(attribute="end_time", column_name="结束时间")
    note = fields.Field(attribute="note", column_name="备注")

    class Meta:
        model = DutySlot
        fields = ("deputy", "station", "date", "start_time", "end_time", "note")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def clean_row(self, row) -> dict:
        deputy = self.deputy_by_phone(row, "代表手机")
        station = self.station(row, "联络站")
        day = self.day(row, "日期")
        if not Stationing.objects.current(on=day).filter(deputy=deputy, station=station).exists():
            raise ValidationError(
                _("%(deputy)s is not stationed at %(station)s on %(day)s.")
                % {"deputy": deputy.name, "station": station.name, "day": day.isoformat()}
            )
        self.once(("slot", deputy.pk, day), f"{deputy.name} {day}")
        start, end = self.clock_time(row, "开始时间"), self.clock_time(row, "结束时间")
        if start and end and end <= start:
            raise ValidationError(_("The end time comes before the start time."))
        note = self.text(row, "备注")
        return {"deputy": deputy, "station": station, "date": day, "start_time": start, "end_time": end, "note": note}

    def find(self, values):
        slot = DutySlot.objects.filter(deputy=values["deputy"], date=values["date"]).first()
        if slot is not None and not self.scope.is_superuser and slot.station_id not in self.scope.staff_station_ids:
            raise ValidationError(_("This deputy is on another station's roster that day."))
        return slot


RESOURCES = {
    "deputies": DeputyResource,
    "stations": StationResource,
    "stationings": StationingResource,
    "duty_slots": DutySlotResource,
}
