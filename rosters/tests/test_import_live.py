"""A 10,000-row roster through a real Celery worker that consumes only the reports queue (as
production's reports worker does): the upload returns at once, the page shows the rows being
checked, the preview, and after confirmation the import of every row in one transaction."""

import io
import time

import pytest
import redis
from django.urls import reverse

from deputies.models import Deputy
from issues.tests.admin_support import client_for
from liaison.celery import app as celery_app
from liaison.queues import REPORTS
from rosters.models import ImportJob
from testsupport.processes import make_stack
from testsupport.services import require_postgres, require_redis
from testsupport.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROWS = 10_000
# Generous: on a loaded two-core machine shared by other test runs each step took 4 to 5 minutes
# (every row is a few round trips to PostgreSQL: find, insert, history row, savepoint).
STEP_SECONDS = 600


@pytest.fixture
def reports_worker(transactional_db, tmp_path, settings):
    require_postgres()
    require_redis()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    settings.MEDIA_ROOT = tmp_path / "media"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    stack = make_stack(tmp_path, DJANGO_MEDIA_ROOT=settings.MEDIA_ROOT)
    stack.start_worker(queues=REPORTS, name="reports", concurrency=1, pool="solo")
    yield stack
    stack.stop()
    celery_app.conf.task_always_eager = eager


def _wait_for(job: ImportJob, status: str) -> set[int]:
    """Polls the job until `status`; the row counts seen on the way."""
    seen = set()
    deadline = time.monotonic() + STEP_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.add(job.done)
        if job.status == status:
            return seen
        assert job.status not in ("failed", "not_imported"), (job.status, job.error)
        time.sleep(0.2)
    raise AssertionError(f"still {job.status} ({job.done}/{job.total}) after {STEP_SECONDS}s")


def test_ten_thousand_rows_are_previewed_and_imported_by_the_reports_worker(reports_worker):
    world = build_world()
    staff = client_for(world, "station_staff")
    rows = "".join(f"代表{i},乡镇,137{i:08d},\n" for i in range(ROWS))
    upload = io.BytesIO(("姓名,级别,手机,职业\n" + rows).encode("gbk"))
    upload.name = "deputies.csv"

    started = time.monotonic()
    response = staff.post(reverse("rosters:preview"), {"kind": "deputies", "file": upload})
    assert response.status_code == 302 and time.monotonic() - started < 10
    job = ImportJob.objects.get()
    seen = _wait_for(job, "checked")
    checked = time.monotonic() - started
    assert job.total == ROWS and job.preview["counts"]["new"] == ROWS
    assert any(0 < done < ROWS for done in seen), "the page never showed the rows being checked"
    page = staff.get(response["Location"]).content.decode()
    assert "import-confirm" in page and "refresh" not in page
    assert Deputy.objects.count() == 2

    confirmed = staff.post(reverse("rosters:confirm", args=[job.pk]), {"digest": job.digest})
    assert confirmed.status_code == 302
    _wait_for(job, "imported")
    imported = time.monotonic() - started - checked
    assert job.result["counts"]["new"] == ROWS and Deputy.objects.count() == ROWS + 2
    print(f"\n{ROWS} rows: checked in {checked:.1f}s, imported in {imported:.1f}s")
