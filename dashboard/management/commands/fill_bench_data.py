"""Fill a scratch PostgreSQL database with a province's worth of cases for the benchmarks.

A province with 2 cities, 2 counties (districts) each, 5 townships per county and 10 stations per
township (one per village): 200 stations, 5 deputies each with an account, one staff account per
station, a township's staff, a county administrator, a province administrator and a superuser (all
with the password "bench", in their role's group, able to open the admin; the administrators
after two-step verification, as always), 8 categories, reception days, and N cases (default
1,000,000) over three years with their timeline events and first-round forwardings.

Rows are generated inside PostgreSQL with INSERT … SELECT over generate_series, in chunks, with a
progress line. Case ids follow the time of submission, as in a real database (chunk k holds the
k-th slice of the three years). The secondary indexes of the cases and of their events are
dropped while the rows go in and built again at the end (also when the fill fails): maintaining
eleven indexes row by row slowed the fill from 7,000 to 1,600 cases/s by 2 M cases, a build from
sorted rows takes minutes for 5 M. Refuses to run on a database that already holds cases, and on
anything but PostgreSQL.
"""

import time
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from deputies.models import Deputy, Stationing
from issues.models import Category, Department, Issue, IssueEvent
from stations.models import DutySlot, Region, StaffMembership, Station
from stations.services import membership_grant

CHUNK = 50_000
PASSWORD = "bench"  # noqa: S105 - a scratch database; every bench account has it
DEPARTMENT_NAME = "城建办"
YEARS = 3

# One row per case: random draws r1…r6 decide its fate; older cases are mostly finished.
ISSUES_SQL = """
WITH draw AS (
  SELECT g AS n, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
         random() AS r6,
         %(t0)s::timestamptz + ((g - 1 + random()) / %(total)s * %(span)s) * interval '1 second' AS created
  FROM generate_series(%(a)s::bigint, %(b)s::bigint) AS g
), fate AS (
  SELECT *, CASE
      WHEN r1 < 0.03 THEN 'rejected' WHEN r1 < 0.05 THEN 'submitted' WHEN r1 < 0.07 THEN 'accepted'
      WHEN r1 < 0.09 THEN 'reviewed' WHEN r1 < 0.14 THEN 'assigned' WHEN r1 < 0.22 THEN 'replied'
      WHEN r1 < 0.82 THEN 'evaluated' ELSE 'closed' END AS st,
    1 + floor(r5 * %(nstations)s)::int AS si
  FROM draw
), times AS (
  SELECT *,
    CASE WHEN st NOT IN ('submitted') AND NOT (st = 'rejected' AND r3 < 0.5)
         THEN created + (r2 * 40 + 0.2) * interval '1 hour' END AS acc,
    CASE WHEN st IN ('assigned', 'replied', 'evaluated', 'closed') AND r3 < 0.6
         THEN created + (r2 * 40 + 2 + r3 * 20) * interval '1 hour' END AS asg
  FROM fate
), replies AS (
  SELECT *, CASE WHEN st IN ('replied', 'evaluated', 'closed')
                 THEN acc + (0.2 + r4 * r4 * 9) * interval '1 day' END AS rep
  FROM times
)
INSERT INTO issues_issue (tracking_code, short_code, channel, station_id, deputy_id, category_id,
  department_id, content, submitter_name, submitter_phone, source_ref, state, deadline, round,
  reply_text, rejection_reason, rating, last_reply_on_time, created_at, updated_at, accepted_at,
  first_assigned_at, first_replied_at, replied_at, finished_at, submission_key, submission_fingerprint, sms_consent,
  region_path, match_grams)
SELECT md5('case' || n), 'B' || lpad(to_hex(n), 8, '0'),
  (ARRAY['deputy_qr','station_qr','deputy_visit','walk_in','activity','platform_hot_topic'])[1 + floor(r6 * 6)::int],
  (%(stations)s::int[])[si], (%(deputies)s::int[])[(si - 1) * 5 + 1 + floor(r6 * 5)::int],
  (%(categories)s::int[])[1 + floor(r4 * %(ncat)s)::int], CASE WHEN asg IS NOT NULL THEN %(department)s END,
  '村里的路灯坏了，晚上看不清路。', '', '138' || lpad((n %% 100000000)::text, 8, '0'), '', st,
  CASE WHEN st IN ('submitted', 'accepted', 'reviewed', 'assigned') THEN created + interval '7 days' END,
  CASE WHEN st = 'assigned' AND r4 < 0.3 THEN 2 ELSE 1 END,
  '', '', CASE WHEN st = 'evaluated' THEN (CASE WHEN r4 < 0.8 THEN 'satisfied' ELSE 'basically_satisfied' END)
               WHEN st = 'assigned' AND r4 < 0.3 THEN 'unsatisfied' ELSE '' END,
  CASE WHEN rep IS NOT NULL THEN rep < created + interval '7 days' END,
  created, created, acc, asg, rep, rep,
  CASE WHEN st IN ('evaluated', 'closed') THEN rep + interval '3 days' END, '', '', FALSE,
  (%(paths)s::text[])[si], ''
FROM replies
"""

# The events are left unsealed (no hash chain, see issues.timeline): `verify_timeline` reports
# these scratch cases, which is right, since nothing but this command wrote them.
EVENTS_SQL = """
INSERT INTO issues_issueevent (issue_id, action, from_state, to_state, round, actor_kind, actor_id,
  actor_label, public_note, internal_note, data, external_ref, created_at, prev_hash, hash)
SELECT id, 'submit', '', 'submitted', 1, 'villager', NULL, '', '', '', '{}'::jsonb, '', created_at, '', ''
  FROM issues_issue WHERE id BETWEEN %(a)s AND %(b)s
UNION ALL
SELECT i.id, 'accept', 'submitted', 'accepted', 1, 'user', d.user_id, '', '', '', '{}'::jsonb, '', i.accepted_at, '', ''
  FROM issues_issue i JOIN deputies_deputy d ON d.id = i.deputy_id
  WHERE i.id BETWEEN %(a)s AND %(b)s AND i.accepted_at IS NOT NULL
UNION ALL
SELECT id, 'assign', 'reviewed', 'assigned', 1, 'user', NULL, '', '', '',
       jsonb_build_object('department_id', department_id, 'department', %(department_name)s::text), '',
       first_assigned_at, '', ''
  FROM issues_issue WHERE id BETWEEN %(a)s AND %(b)s AND first_assigned_at IS NOT NULL
UNION ALL
SELECT id, 'reply', 'assigned', 'replied', 1, 'platform', NULL, '', '', '', '{}'::jsonb, '', first_replied_at, '', ''
  FROM issues_issue WHERE id BETWEEN %(a)s AND %(b)s AND first_replied_at IS NOT NULL
UNION ALL
SELECT id, 'evaluate', 'replied', 'evaluated', 1, 'villager', NULL, '', '', '', jsonb_build_object('rating', rating),
       '', finished_at, '', ''
  FROM issues_issue WHERE id BETWEEN %(a)s AND %(b)s AND state = 'evaluated'
"""

FORWARDINGS_SQL = """
INSERT INTO issues_forwarding (issue_id, round, sequence, department_id, key, status, attempts, next_attempt_at,
  claimed_until, last_error, platform_case_id, return_reason, created_at, delivered_at)
SELECT id, 1, 1, department_id, md5('fwd' || id), 'delivered', 1, first_assigned_at, NULL, '', 'P' || id, '',
  first_assigned_at, first_assigned_at + (2 + random() * 6) * interval '1 second'
FROM issues_issue WHERE id BETWEEN %(a)s AND %(b)s AND first_assigned_at IS NOT NULL
"""


class Command(BaseCommand):
    help = "Fill a scratch PostgreSQL database with N cases (default 1,000,000) for bench/dashboard_bench.py."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)

    def handle(self, *args, cases: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL only (DATABASE_URL=postgres://…).")
        if Issue.objects.exists():
            raise CommandError("This database already holds cases: use an empty scratch database.")
        started = time.monotonic()
        station_ids, deputy_ids, category_ids, department_id = self._network()
        paths = dict(Station.objects.filter(pk__in=station_ids).values_list("pk", "region__path"))
        today = date.today()
        t0 = today - timedelta(days=365 * YEARS)
        params = {
            "t0": t0.isoformat(),
            "span": 365 * YEARS * 86400,
            "nstations": len(station_ids),
            "stations": station_ids,
            "paths": [paths[pk] for pk in station_ids],
            "deputies": deputy_ids,
            "categories": category_ids,
            "ncat": len(category_ids),
            "department": department_id,
            "total": cases,
        }
        dropped = _drop_secondary_indexes()
        try:
            self._fill(cases, params, started)
        finally:
            self.stdout.write(f"Building {len(dropped)} indexes …")
            _build_indexes(dropped)
        with connection.cursor() as cur:
            self.stdout.write("VACUUM ANALYZE …")
            for table in ("issues_issue", "issues_issueevent", "issues_forwarding"):
                cur.execute(f"VACUUM ANALYZE {table}")
            events = cur.execute("SELECT count(*) FROM issues_issueevent").fetchone()[0]
        self.stdout.write(
            self.style.SUCCESS(f"{cases:,} cases, {events:,} events in {time.monotonic() - started:.0f} s.")
        )

    def _fill(self, cases: int, params: dict, started: float) -> None:
        done = 0
        while done < cases:
            n = min(CHUNK, cases - done)
            with transaction.atomic(), connection.cursor() as cur:
                before = cur.execute("SELECT coalesce(max(id), 0) FROM issues_issue").fetchone()[0]
                cur.execute(ISSUES_SQL, {**params, "a": done + 1, "b": done + n})
                lo, hi = cur.execute("SELECT min(id), max(id) FROM issues_issue WHERE id > %s", [before]).fetchone()
                cur.execute(EVENTS_SQL, {"a": lo, "b": hi, "department_name": DEPARTMENT_NAME})
                cur.execute(FORWARDINGS_SQL, {"a": lo, "b": hi})
            done += n
            rate = done / (time.monotonic() - started)
            self.stdout.write(f"\r{done:>9,} / {cases:,} cases  {rate:,.0f} cases/s", ending="")
            self.stdout.flush()
        self.stdout.write("")

    @transaction.atomic
    def _network(self):
        """The province: regions, stations, deputies with accounts, categories, the bench users."""
        user_model = get_user_model()
        province = Region.objects.create(name="浙江省", code="B330000", level=Region.Level.PROVINCE)
        cities = [
            Region.objects.create(name=name, code=code, level=Region.Level.CITY, parent=province)
            for name, code in (("舟山市", "B330900"), ("宁波市", "B330200"))
        ]
        station_ids, deputy_ids = [], []
        users = []
        for d in range(4):
            district = Region.objects.create(name=f"区县{d + 1}", code=f"B{d}", level="district", parent=cities[d // 2])
            for t in range(5):
                township = Region.objects.create(
                    name=f"乡镇{d + 1}-{t + 1}", code=f"B{d}{t}", level="township", parent=district
                )
                for v in range(10):
                    village = Region.objects.create(
                        name=f"村{d + 1}-{t + 1}-{v + 1}", code=f"B{d}{t}{v}", level="village", parent=township
                    )
                    station = Station.objects.create(name=f"联络站{d + 1}-{t + 1}-{v + 1}", region=village)
                    station_ids.append(station.pk)
                    for k in range(5):
                        users.append((station, user_model(username=f"bench_deputy_{station.pk}_{k}")))
        # One hash for every account (each costs a good part of a second), as the demo does.
        hashed = make_password(PASSWORD)
        for _s, user in users:
            user.password, user.is_staff = hashed, True
        user_model.objects.bulk_create([u for _s, u in users], batch_size=1000)
        by_name = dict(user_model.objects.filter(username__startswith="bench_deputy_").values_list("username", "pk"))
        deputies = Deputy.objects.bulk_create(
            [
                Deputy(name=f"代表{i + 1}", level="township", user_id=by_name[u.username])
                for i, (_s, u) in enumerate(users)
            ]
        )
        _join_group("deputy", by_name.values())
        deputy_ids = [d.pk for d in deputies]
        start = date.today() - timedelta(days=365 * YEARS)
        Stationing.objects.bulk_create(
            [
                Stationing(deputy=d, station=s, kind="resident", start_date=start)
                for d, (s, _u) in zip(deputies, users, strict=True)
            ]
        )
        slots = []
        for i, (d, (s, _u)) in enumerate(zip(deputies, users, strict=True)):
            day = start + timedelta(days=15 + i % 5)
            while day <= date.today():
                slots.append(DutySlot(deputy=d, station=s, date=day))
                day += timedelta(days=60)
        DutySlot.objects.bulk_create(slots, batch_size=5000)
        categories = [
            Category.objects.create(name=n, reply_working_days=5)
            for n in ["基础设施", "环境卫生", "交通出行", "社会保障", "教育医疗", "渔业生产", "征地拆迁", "其他"]
        ]
        department = Department.objects.create(name=DEPARTMENT_NAME, region=cities[0])
        user_model.objects.create_superuser("bench_admin", "bench@example.cn", PASSWORD)
        self._station_staff(station_ids, hashed)
        first_township = Region.objects.filter(level="township").order_by("pk").first()
        for username, role, region in (
            ("bench_township", StaffMembership.Role.TOWNSHIP_STAFF, first_township),
            ("bench_county_admin", StaffMembership.Role.COUNTY_ADMIN, first_township.parent),
            ("bench_province_admin", StaffMembership.Role.PROVINCE_ADMIN, province),
        ):
            account = user_model.objects.create(username=username, password=hashed)
            membership_grant(user=account, role=role, region=region)
        return station_ids, deputy_ids, [c.pk for c in categories], department.pk

    @staticmethod
    def _station_staff(station_ids: list[int], hashed: str) -> None:
        """One staff account per station (bench_station_<station id>), as a station has."""
        user_model = get_user_model()
        staff = user_model.objects.bulk_create(
            [user_model(username=f"bench_station_{pk}", password=hashed, is_staff=True) for pk in station_ids]
        )
        StaffMembership.objects.bulk_create(
            [
                StaffMembership(user=user, role=StaffMembership.Role.STATION_STAFF, station_id=pk)
                for user, pk in zip(staff, station_ids, strict=True)
            ]
        )
        _join_group(StaffMembership.Role.STATION_STAFF, [user.pk for user in staff])


def _drop_secondary_indexes() -> list:
    """Drop the (model, index) pairs of Meta.indexes of the cases and their events; unique
    constraints stay (they guard the generated codes)."""
    dropped = [(model, index) for model in (Issue, IssueEvent) for index in model._meta.indexes]
    with connection.schema_editor(atomic=False) as editor:
        for model, index in dropped:
            editor.remove_index(model, index)
    return dropped


def _build_indexes(dropped: list) -> None:
    with connection.schema_editor(atomic=False) as editor:
        editor.execute("SET maintenance_work_mem = '1GB'")
        for model, index in dropped:
            editor.add_index(model, index)


def _join_group(name: str, user_ids) -> None:
    """Put many users in a role group at once (what membership_grant and deputy_link_user do one
    by one): the group opens the admin pages of their role."""
    group = Group.objects.get(name=name)
    through = get_user_model().groups.through
    through.objects.bulk_create([through(user_id=pk, group_id=group.pk) for pk in user_ids], batch_size=5000)
