"""Roster imports in the background: the upload is kept and checked by a task, its page
refreshes itself until the preview is ready, the uploader's confirmation imports it by a second
task, whole or not at all. A job is its uploader's alone; a changed file, a refused row, a
second confirmation and someone else's confirmation are refused."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from deputies.models import Deputy, Stationing
from issues.tests.admin_support import client_for
from rosters.job_services import roster_job_check, roster_job_confirm, roster_job_import
from rosters.models import ImportJob
from rosters.services import roster_import
from stations.models import StaffMembership
from stations.services import membership_grant

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DEPUTIES = "姓名,级别,手机,职业\n"
STATIONINGS = "代表手机,联络站,类型,开始日期,结束日期\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phones(world):
    Deputy.objects.filter(pk=world.deputy_a.pk).update(phone="13800000001")
    Deputy.objects.filter(pk=world.deputy_b.pk).update(phone="13900000002")
    return world


def _upload(client, text: str, *, name="deputies.csv", kind="deputies", encoding="utf-8"):
    upload = io.BytesIO(text.encode(encoding))
    upload.name = name
    return client.post(reverse("rosters:preview"), {"kind": kind, "file": upload})


def _checked(client, text, capture, **kwargs) -> ImportJob:
    """Upload, then run the check task as the worker would after commit."""
    with capture(execute=True):
        response = _upload(client, text, **kwargs)
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def _confirm(client, job, capture, digest=None):
    with capture(execute=True):
        return client.post(reverse("rosters:confirm", args=[job.pk]), {"digest": digest or job.digest})


def test_an_upload_is_checked_in_the_background_and_imported_once_confirmed(phones, django_capture_on_commit_callbacks):
    staff = client_for(phones, "station_staff")
    with django_capture_on_commit_callbacks(execute=False) as checks:
        response = _upload(staff, DEPUTIES + "张新民,乡镇,13811112222,渔民\n陈海涛,县（区）,13800000001,村支书\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rosters:job", args=[job.pk])
    waiting = staff.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in waiting and 'http-equiv="refresh"' in waiting
    assert "import-confirm" not in waiting
    for callback in checks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("checked", 2, 2)
    preview = staff.get(response["Location"]).content.decode()
    assert "refresh" not in preview and "import-confirm" in preview and "张新民" in preview
    assert not Deputy.objects.filter(name="张新民").exists()

    with django_capture_on_commit_callbacks(execute=False) as imports:
        confirmed = staff.post(reverse("rosters:confirm", args=[job.pk]), {"digest": job.digest})
    assert confirmed.status_code == 302
    importing = staff.get(response["Location"]).content.decode()
    assert 'data-status="confirmed"' in importing and 'http-equiv="refresh"' in importing
    for callback in imports:
        callback()
    done = staff.get(response["Location"])
    assert done.context["job"].status == "imported" and done.context["job"].result["counts"] == {
        "new": 1,
        "changed": 1,
        "unchanged": 0,
        "refused": 0,
    }
    assert "refresh" not in done.content.decode()
    assert Deputy.objects.get(phone="13811112222").name == "张新民"
    assert Deputy.objects.get(pk=phones.deputy_a.pk).occupation == "村支书"


def test_a_second_confirmation_imports_nothing_twice(phones, django_capture_on_commit_callbacks):
    staff = client_for(phones, "station_staff")
    job = _checked(staff, DEPUTIES + "张新民,乡镇,13811112222,渔民\n", django_capture_on_commit_callbacks)
    assert _confirm(staff, job, django_capture_on_commit_callbacks).status_code == 302
    again = _confirm(staff, job, django_capture_on_commit_callbacks)
    assert again.status_code == 200 and again.context["error"]
    assert Deputy.objects.filter(name="张新民").count() == 1
    assert roster_job_check(job_id=job.pk) is None  # a task delivered twice finds nothing to do


def test_someone_elses_import_is_not_found_and_cannot_be_confirmed(phones, django_capture_on_commit_callbacks):
    staff = client_for(phones, "station_staff")
    job = _checked(staff, DEPUTIES + "张新民,乡镇,13811112222,渔民\n", django_capture_on_commit_callbacks)
    colleague = get_user_model().objects.create_user(username="colleague", password="x")
    membership_grant(user=colleague, role=StaffMembership.Role.STATION_STAFF, station=phones.railway_point)
    phones.colleague = colleague
    for role in ("colleague", "admin", "township_staff", "deputy_a"):
        client = client_for(phones, role)
        assert client.get(reverse("rosters:job", args=[job.pk])).status_code == 404, role
        assert _confirm(client, job, django_capture_on_commit_callbacks).status_code == 404, role
        assert job.name not in client.get(reverse("rosters:index")).content.decode()
    job.refresh_from_db()
    assert job.status == "checked" and not Deputy.objects.filter(name="张新民").exists()


def test_a_file_that_changed_between_preview_and_confirmation_is_refused(phones, django_capture_on_commit_callbacks):
    staff = client_for(phones, "station_staff")
    job = _checked(staff, DEPUTIES + "张新民,乡镇,13811112222,渔民\n", django_capture_on_commit_callbacks)
    stale = _confirm(staff, job, django_capture_on_commit_callbacks, digest="0" * 64)
    assert stale.status_code == 200 and "import-error" in stale.content.decode()
    job.refresh_from_db()
    assert job.status == "checked"

    with open(job.file.path, "wb") as stored:  # the kept file replaced behind the preview's back
        stored.write((DEPUTIES + "王五,乡镇,13833334444,\n").encode())
    _confirm(staff, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "not_imported" and "预览" in job.error
    assert not Deputy.objects.filter(name__in=["张新民", "王五"]).exists()


def test_a_row_that_turned_bad_after_the_preview_leaves_the_whole_file_unwritten(
    phones, django_capture_on_commit_callbacks
):
    Stationing.objects.filter(deputy=phones.deputy_b).delete()
    staff = client_for(phones, "station_staff")
    point = phones.railway_point.name
    text = STATIONINGS + f"13800000001,{point},visiting,2026-01-01,\n13900000002,{point},visiting,2026-01-01,\n"
    job = _checked(staff, text, django_capture_on_commit_callbacks, name="s.csv", kind="stationings")
    assert job.confirmable, job.preview
    Deputy.objects.filter(pk=phones.deputy_b.pk).update(phone="13900009999")
    page = _confirm(staff, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert page.status_code == 302 and job.status == "not_imported"
    assert job.result["counts"]["refused"] == 1 and "13900000002" in " ".join(job.result["refused"][0]["reasons"])
    assert Stationing.objects.filter(station=phones.railway_point).count() == 1  # deputy A's old one only
    shown = staff.get(reverse("rosters:job", args=[job.pk])).content.decode()
    assert "13900000002" in shown and "import-counts" in shown


def test_a_refused_row_offers_no_confirmation_and_a_forced_one_is_refused(phones, django_capture_on_commit_callbacks):
    staff = client_for(phones, "station_staff")
    job = _checked(
        staff, DEPUTIES + "张新民,乡镇,13811112222,\n李四,乡镇,138000,\n", django_capture_on_commit_callbacks
    )
    page = staff.get(reverse("rosters:job", args=[job.pk])).content.decode()
    assert "import-confirm" not in page and "138000" in page
    forced = _confirm(staff, job, django_capture_on_commit_callbacks)
    assert forced.status_code == 200 and forced.context["error"]
    assert not Deputy.objects.filter(name="张新民").exists()


@pytest.mark.parametrize(
    "text, encoding, expected",
    [
        ("name,level\n张,x\n", "utf-8", "姓名"),  # wrong columns: the page names what is missing
        (DEPUTIES + '"=HYPERLINK(""http://evil.example"",""点我"")",乡镇,13811112222,\n', "utf-8", "公式"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused_on_its_page_with_the_reason(
    phones, django_capture_on_commit_callbacks, text, encoding, expected
):
    staff = client_for(phones, "station_staff")
    job = _checked(staff, text, django_capture_on_commit_callbacks, encoding=encoding)
    page = staff.get(reverse("rosters:job", args=[job.pk])).content.decode()
    assert expected in page and "import-confirm" not in page
    assert _confirm(staff, job, django_capture_on_commit_callbacks).status_code == 200
    assert Deputy.objects.count() == 2


def test_a_gbk_csv_from_excel_is_checked_and_imported(phones, django_capture_on_commit_callbacks):
    staff = client_for(phones, "station_staff")
    job = _checked(
        staff, DEPUTIES + "张新民,乡镇,13811112222,渔民\n", django_capture_on_commit_callbacks, encoding="gbk"
    )
    _confirm(staff, job, django_capture_on_commit_callbacks)
    assert Deputy.objects.filter(name="张新民", occupation="渔民").exists()


@pytest.mark.parametrize(
    "kind, name, data",
    [("deputies", "deputies.csv", b""), ("deputies", "deputies.txt", b"a"), ("cats", "deputies.csv", b"a")],
)
def test_what_needs_no_reading_is_refused_at_once_and_nothing_is_kept(phones, kind, name, data):
    upload = io.BytesIO(data)
    upload.name = name
    page = client_for(phones, "station_staff").post(reverse("rosters:preview"), {"kind": kind, "file": upload})
    assert page.status_code == 200 and page.context["error"]
    assert not ImportJob.objects.exists()


def test_only_importers_upload_and_confirm(phones, django_capture_on_commit_callbacks):
    for role in ("township_staff", "deputy_a"):
        client = client_for(phones, role)
        assert _upload(client, DEPUTIES + "张新民,乡镇,13811112222,\n").status_code == 404
        assert client.post(reverse("rosters:confirm", args=[1]), {"digest": "x"}).status_code == 404
    assert not ImportJob.objects.exists()


def test_the_progress_counts_the_rows_as_they_are_run(phones):
    seen = []
    rows = "".join(f"代表{i},乡镇,137{i:08d},\n" for i in range(30))
    roster_import(
        user=phones.station_staff,
        kind="deputies",
        data=(DEPUTIES + rows).encode(),
        filename="d.csv",
        confirm=False,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (0, 30) and seen[-1] == (30, 30) and [d for d, _ in seen] == list(range(31))


def test_the_confirmation_service_refuses_a_job_of_another_user(phones, django_capture_on_commit_callbacks):
    staff = client_for(phones, "station_staff")
    job = _checked(staff, DEPUTIES + "张新民,乡镇,13811112222,\n", django_capture_on_commit_callbacks)
    with pytest.raises(Exception) as error:
        roster_job_confirm(user=phones.admin, job_id=job.pk, digest=job.digest)
    assert error.value.code == "not_found"


def test_the_admin_index_links_the_roster_import_for_those_who_may_use_it(phones):
    link = reverse("rosters:index")
    for role, shown in [("station_staff", True), ("admin", True), ("township_staff", False), ("deputy_a", False)]:
        page = client_for(phones, role).get(reverse("admin:index")).content.decode()
        assert (f'href="{link}"' in page) is shown, role


def test_a_job_whose_task_was_lost_is_sent_again_and_one_left_by_a_killed_worker_is_run_again(
    phones, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from issues import clock
    from rosters.job_services import roster_jobs_resume

    staff = client_for(phones, "station_staff")
    with django_capture_on_commit_callbacks(execute=False):  # the broker was away: the task is lost
        _upload(staff, DEPUTIES + "张新民,乡镇,13811112222,渔民\n")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert roster_jobs_resume() == 0  # just uploaded: its task may still be on its way
    ImportJob.objects.filter(pk=job.pk).update(status_at=clock.now() - timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert roster_jobs_resume() == 1
    job.refresh_from_db()
    assert job.status == "checked" and job.total == 1

    # Confirmed, claimed by a worker that was then killed (its transaction rolled back): the job
    # says "being imported". A redelivered task leaves a recent run alone and takes over a stale one.
    ImportJob.objects.filter(pk=job.pk).update(status="importing", status_at=clock.now())
    assert roster_job_import(job_id=job.pk) is None
    assert roster_jobs_resume() == 0
    ImportJob.objects.filter(pk=job.pk).update(status_at=clock.now() - timedelta(seconds=1000))
    with django_capture_on_commit_callbacks(execute=True):
        assert roster_jobs_resume() == 1
    job.refresh_from_db()
    assert job.status == "imported" and Deputy.objects.filter(name="张新民").count() == 1
    assert roster_job_import(job_id=job.pk) is None  # done: a late redelivery does nothing
    assert Deputy.objects.filter(name="张新民").count() == 1
