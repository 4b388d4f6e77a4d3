"""Roster import: the preview says what each row would do and why a row is refused; an import
with one bad row writes nothing; GBK CSV and XLSX are read; formulas are refused on the way in
and neutralised on the way out; each importer reaches their own stations only."""

import io
from datetime import date

import pytest
import tablib
from django.urls import reverse
from openpyxl import load_workbook

from deputies.models import Deputy, Stationing
from issues.tests.admin_support import client_for
from liaison.errors import ActionForbidden, InvalidInput
from rosters.services import roster_export, roster_import
from stations.models import DutySlot, Station

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DEPUTIES = "姓名,级别,手机,职业\n"


@pytest.fixture
def phones(world):
    Deputy.objects.filter(pk=world.deputy_a.pk).update(phone="13800000001")
    Deputy.objects.filter(pk=world.deputy_b.pk).update(phone="13900000002")
    return world


def _csv(text: str, encoding="utf-8") -> bytes:
    return text.encode(encoding)


def _xlsx(headers, rows) -> bytes:
    dataset = tablib.Dataset(*rows, headers=headers)
    return dataset.export("xlsx")


def _run(world, kind, data, name="roster.csv", confirm=False, user=None):
    return roster_import(user=user or world.station_staff, kind=kind, data=data, filename=name, confirm=confirm)


def test_the_preview_says_what_each_row_would_do_and_writes_nothing(phones):
    data = _csv(
        DEPUTIES + "陈海涛,县（区）,13800000001,村支书\n"  # deputy A: occupation changes
        "张新民,乡镇,13811112222,渔民\n"  # new
        "李四,乡镇,138000,\n"  # malformed phone
        "王五,乡镇,13811112222,\n"  # the same phone as line 3
        "赵六,省级,13822223333,\n"  # a level that does not exist
    )
    before = list(Deputy.objects.order_by("pk").values())
    outcome = _run(phones, "deputies", data)
    assert [(r.line, r.action) for r in outcome.rows] == [
        (2, "changed"),
        (3, "new"),
        (4, "refused"),
        (5, "refused"),
        (6, "refused"),
    ]
    reasons = {r.line: " ".join(r.reasons) for r in outcome.refused}
    assert "138000" in reasons[4]
    assert "13811112222" in reasons[5] and "3" in reasons[5]
    assert "级别" in reasons[6]
    assert outcome.written is False
    assert list(Deputy.objects.order_by("pk").values()) == before


def test_one_bad_row_and_nothing_is_imported(phones):
    data = _csv(DEPUTIES + "张新民,乡镇,13811112222,渔民\n李四,乡镇,138000,\n")
    outcome = _run(phones, "deputies", data, confirm=True)
    assert outcome.written is False
    assert not Deputy.objects.filter(name="张新民").exists()


def test_a_clean_file_is_imported_whole(phones):
    data = _csv(DEPUTIES + "张新民,乡镇,13811112222,渔民\n陈海涛,县（区）,13800000001,村支书\n")
    outcome = _run(phones, "deputies", data, confirm=True)
    assert outcome.written is True and outcome.counts == {"new": 1, "changed": 1, "unchanged": 0, "refused": 0}
    assert Deputy.objects.get(phone="13811112222").occupation == "渔民"
    assert Deputy.objects.get(pk=phones.deputy_a.pk).occupation == "村支书"
    again = _run(phones, "deputies", data)
    assert again.counts["unchanged"] == 2, again.rows


def test_a_gbk_csv_from_excel_is_read(phones):
    data = _csv(DEPUTIES + "张新民,乡镇,13811112222,渔民\n", encoding="gbk")
    outcome = _run(phones, "deputies", data, confirm=True)
    assert outcome.written and Deputy.objects.filter(name="张新民", occupation="渔民").exists()


def test_stationings_and_duty_slots_from_xlsx_with_their_reasons(phones):
    point = phones.railway_point.name
    stationings = _xlsx(
        ["代表手机", "联络站", "类型", "开始日期", "结束日期"],
        [
            ["13800000001", point, "visiting", date(2026, 1, 1), date(2026, 12, 31)],
            ["13900000002", phones.xiushan_station.name, "visiting", "2026-01-01", ""],  # not this staff's station
            ["13800000001", "没有这个站", "visiting", "2026-01-01", ""],
            ["13800000001", point, "visiting", "2026-13-45", ""],  # malformed date
            ["13700000000", point, "visiting", "2026-01-01", ""],  # unknown deputy
        ],
    )
    outcome = _run(phones, "stationings", stationings, name="s.xlsx")
    assert [r.action for r in outcome.rows] == ["new", "refused", "refused", "refused", "refused"]
    text = [" ".join(r.reasons) for r in outcome.refused]
    assert phones.xiushan_station.name in text[0] and "没有这个站" in text[1]
    assert "2026-13-45" in text[2] and "13700000000" in text[3]

    slots = _xlsx(
        ["代表手机", "联络站", "日期", "开始时间", "结束时间", "备注"],
        [
            ["13800000001", point, "2026-03-15", "09:00", "11:30", "接待日"],
            ["13800000001", point, "2026-03-15", "14:00", "", "同一天第二次"],
            ["13800000001", point, "2019-03-15", "", "", "进驻之前"],
        ],
    )
    outcome = _run(phones, "duty_slots", slots, name="d.xlsx", confirm=True)
    assert [r.action for r in outcome.rows] == ["new", "refused", "refused"] and not outcome.written
    assert not DutySlot.objects.exists()
    good = _xlsx(
        ["代表手机", "联络站", "日期", "开始时间", "结束时间", "备注"],
        [["13800000001", point, "2026-03-15", "09:00", "11:30", "接待日"]],
    )
    assert _run(phones, "duty_slots", good, name="d.xlsx", confirm=True).written
    assert DutySlot.objects.get().deputy_id == phones.deputy_a.pk


def test_formulas_are_refused_on_import_and_neutralised_on_export(phones):
    data = _csv(DEPUTIES + '"=HYPERLINK(""http://evil.example"",""点我"")",乡镇,13811112222,\n')
    outcome = _run(phones, "deputies", data, confirm=True)
    assert not outcome.written and "姓名" in outcome.refused[0].reasons[0]
    DutySlot.objects.create(deputy=phones.deputy_a, station=phones.railway_point, date=date(2026, 3, 1), note="=1+1")
    response = client_for(phones, "station_staff").get(
        reverse("rosters:download", args=["duty_slots", "export", "csv"])
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=1+1" in body and ",=1+1" not in body


@pytest.mark.parametrize(
    "data, message",
    [
        (b"name,level\n\xe5\xbc\xa0,x\n", "姓名"),  # wrong columns: names what is missing
        (b"", ""),
        (b"\xff\xfe\x00garbage" * 10, ""),
    ],
)
def test_a_file_that_is_not_the_template_is_refused_with_a_reason(phones, data, message):
    with pytest.raises(InvalidInput) as error:
        _run(phones, "deputies", data)
    assert error.value.field == "file" and message in str(error.value.message)


def test_more_than_ten_thousand_rows_are_refused_before_anything_is_read_into_the_database(phones):
    rows = "".join(f"代表{i},乡镇,138{i:08d},\n" for i in range(10_001))
    with pytest.raises(InvalidInput):
        _run(phones, "deputies", _csv(DEPUTIES + rows))
    assert Deputy.objects.count() == 2


def test_two_thousand_rows_are_previewed_and_imported_whole(phones):
    rows = "".join(f"代表{i},乡镇,137{i:08d},\n" for i in range(2_000))
    outcome = _run(phones, "deputies", _csv(DEPUTIES + rows), confirm=True)
    assert outcome.written and outcome.counts["new"] == 2_000
    assert Deputy.objects.count() == 2_002


def test_only_station_staff_and_administrators_import(phones):
    data = _csv(DEPUTIES + "张新民,乡镇,13811112222,渔民\n")
    for user in (phones.township_staff, phones.deputy_a_user):
        with pytest.raises(ActionForbidden):
            _run(phones, "deputies", data, user=user)
        assert client_for(phones, "township_staff").get(reverse("rosters:index")).status_code == 404
    assert _run(phones, "deputies", data, user=phones.admin).counts["new"] == 1


def test_staff_change_their_own_station_only_and_add_none(phones):
    header = "名称,类型,行政区划代码,地址,电话\n"
    rows = (
        f"{phones.railway_point.name},point,{phones.chaomian.code},潮面村铁路工地旁,0580-1234567\n"
        f"{phones.xiushan_station.name},station,{phones.xiushan.code},秀山乡,\n"
        f"新的联络站,station,{phones.chaomian.code},,\n"
    )
    outcome = _run(phones, "stations", _csv(header + rows))
    assert [r.action for r in outcome.rows] == ["changed", "refused", "refused"]
    admin = _run(phones, "stations", _csv(header + rows), user=phones.admin, confirm=True)
    assert admin.written and Station.objects.filter(name="新的联络站").exists()


def test_the_template_has_the_headings_and_the_export_the_staffs_roster_only(phones):
    staff = client_for(phones, "station_staff")
    template = staff.get(reverse("rosters:download", args=["stationings", "template", "xlsx"]))
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in next(sheet.iter_rows())] == ["代表手机", "联络站", "类型", "开始日期", "结束日期"]
    assert sheet.max_row == 1
    export = roster_export(user=phones.station_staff, kind="stationings")
    assert [row[1] for row in export[1:]] == [phones.railway_point.name]
    assert Stationing.objects.count() == 2
