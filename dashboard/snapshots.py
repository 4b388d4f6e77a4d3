"""Figure snapshots: serve figures from a snapshot, compute them while the reader waits only when
they are few, and otherwise ask a task on the reports queue for them. The only writer of
FigureSnapshot and SnapshotRequest.

The key is the user's scope (the exact set of stations and the deputy they may see, never the
user), the kind of figures, the filters and the language: two people with the same scope share
a snapshot, and nobody ever gets figures of a scope that is not theirs. A task computing a
snapshot somebody asked for does so with that person's scope as of its run, and stores it under
the key of that scope: if they lost access meanwhile, it lands on a key their old peers never read."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import get_language

from dashboard.models import FigureSnapshot, SnapshotRequest
from issues import clock
from issues.permissions import scope_of
from liaison import jobs

DEFAULT_MAX_AGE = 10 * 60  # seconds; the refresh task runs as often
READ_MARK_EVERY = timedelta(minutes=1)  # a page view writes read_at at most this often
REFRESH_READ_WITHIN = timedelta(days=1)  # the refresh task keeps snapshots read this recently fresh
DELETE_UNREAD_AFTER = timedelta(days=7)
QUERY_STRING_MAX = 2000
COMPUTE_TASK = "dashboard.tasks.compute_snapshot"


def max_age() -> int:
    return int(getattr(settings, "DASHBOARD_SNAPSHOT_MAX_AGE", DEFAULT_MAX_AGE))


def inline_max_cases() -> int:
    return int(getattr(settings, "DASHBOARD_INLINE_MAX_CASES", 20000))


def request_timeout() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "DASHBOARD_SNAPSHOT_REQUEST_TIMEOUT", 300)))


def scope_key(user) -> str:
    # Region paths, not the thousands of station ids a county or city official sees.
    return scope_of(user).cache_key


def snapshot_key(kind: str, user, params: dict) -> str:
    raw = json.dumps([kind, scope_key(user), params, get_language()], sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(raw.encode()).hexdigest()


def normalised(data: dict) -> dict:
    """`data` as a snapshot holds it (and gives it back): plain JSON."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def snapshot_store(
    *, key: str, kind: str, data: dict, computed_at: datetime, user=None, query: str = "", read: bool = False
) -> None:
    """Keep `data` as the snapshot `key`, with the user it was computed for (who has that scope)
    and their query string; `read`: somebody is reading it now (not the refresh task)."""
    values = {"kind": kind, "computed_at": computed_at, "data": data}
    if user is not None:
        values.update(user=user, query=query[:QUERY_STRING_MAX], language=get_language() or "")
    if read:
        values["read_at"] = computed_at
    try:
        with transaction.atomic():
            FigureSnapshot.objects.update_or_create(key=key, defaults=values)
    except IntegrityError:  # another request stored it at the same moment
        pass


def snapshot_mark_read(snap: FigureSnapshot, *, user, query: str, now: datetime) -> None:
    """Note that `user` read `snap` (at most once per READ_MARK_EVERY: not a write per page view);
    the refresh task recomputes it with this reader, who has its scope."""
    if snap.read_at is not None and snap.read_at > now - READ_MARK_EVERY:
        return
    FigureSnapshot.objects.filter(pk=snap.pk).update(
        read_at=now, user=user, query=query[:QUERY_STRING_MAX], language=get_language() or ""
    )


def snapshot_claim(*, key: str, kind: str, user, query: str) -> SnapshotRequest | None:
    """Claim the computation of the snapshot `key` (for `user`'s scope): the new or taken-over
    request, or None when another one is pending. Atomic: the unique key, or a compare-and-set
    on a request old enough (DASHBOARD_SNAPSHOT_REQUEST_TIMEOUT) to have been lost."""
    now = clock.now()
    values = {
        "kind": kind,
        "user": user,
        "query": query[:QUERY_STRING_MAX],
        "language": get_language() or "",
        "requested_at": now,
    }
    if SnapshotRequest.objects.filter(key=key, requested_at__lt=now - request_timeout()).update(**values) == 1:
        return SnapshotRequest.objects.get(key=key)
    try:
        with transaction.atomic():
            return SnapshotRequest.objects.create(key=key, **values)
    except IntegrityError:  # pending: somebody asked already
        return None


def snapshot_request(*, key: str, kind: str, user, query: str) -> bool:
    """Ask for the snapshot `key` to be computed in the background with `user`'s scope, at most
    once per key while a request is pending (snapshot_claim). True when this call asked."""
    claim = snapshot_claim(key=key, kind=kind, user=user, query=query)
    if claim is None:
        return False

    def send() -> None:
        if not jobs.enqueue(COMPUTE_TASK, key):  # the broker is down: the next reader asks again
            snapshot_request_done(claim)

    transaction.on_commit(send)
    return True


def snapshot_request_done(request: SnapshotRequest) -> None:
    """The computation asked for by `request` is stored: release the key (unless asked again since)."""
    SnapshotRequest.objects.filter(pk=request.pk, requested_at=request.requested_at).delete()


def snapshots_prune(now: datetime) -> int:
    """Delete the snapshots nobody read for DELETE_UNREAD_AFTER (those never read: computed that
    long ago, i.e. no longer refreshed either) and requests lost for as long."""
    old = now - DELETE_UNREAD_AFTER
    deleted, _ = FigureSnapshot.objects.filter(
        Q(read_at__lt=old) | Q(read_at__isnull=True, computed_at__lt=old)
    ).delete()
    SnapshotRequest.objects.filter(requested_at__lt=old).delete()
    return deleted


def figures_for(
    kind: str, user, params: dict, compute, *, refresh: bool = False, query: str = ""
) -> tuple[dict, object, bool]:
    """(data, computed_at, from_snapshot): a snapshot younger than max_age(), else `compute()`
    (whose result must be JSON-serialisable with DjangoJSONEncoder), kept for the next reader.
    Computes while the caller waits: for the refresh tasks, and the API."""
    key = snapshot_key(kind, user, params)
    now = clock.now()
    age = max_age()
    if age > 0 and not refresh:
        snap = FigureSnapshot.objects.filter(key=key, computed_at__gte=now - timedelta(seconds=age)).first()
        if snap is not None:
            return snap.data, snap.computed_at, True
    data = normalised(compute())
    if age > 0 or refresh:
        snapshot_store(key=key, kind=kind, data=data, computed_at=now, user=user, query=query, read=not refresh)
    return data, now, False


def snapshot_refresh(kind: str, user, params: dict, compute, *, query: str = "") -> bool:
    """Compute the snapshot for `user` now and keep it (the scheduled refresh), holding its key's
    request meanwhile so that readers who find it stale ask for nothing more. False, and nothing
    computed, when a reader's request is pending: its task is computing the same."""
    key = snapshot_key(kind, user, params)
    claim = snapshot_claim(key=key, kind=kind, user=user, query=query)
    if claim is None:
        return False
    try:
        now = clock.now()
        snapshot_store(key=key, kind=kind, data=normalised(compute()), computed_at=now, user=user, query=query)
    finally:
        snapshot_request_done(claim)
    return True


@dataclass(frozen=True)
class Served:
    """What a reader gets: figures and when they were computed, or nothing yet (`computing`)."""

    data: dict | None
    computed_at: datetime | None
    from_snapshot: bool
    stale: bool = False  # older than max_age(): a newer snapshot is being computed

    @property
    def computing(self) -> bool:
        return self.data is None


def figures_served(
    kind: str,
    user,
    params: dict,
    *,
    query: str,
    compute: Callable[[], dict],
    small: Callable[[], bool],
    stale_within: timedelta | None = None,
) -> Served:
    """Figures without making the reader wait for a big computation: a fresh snapshot; a stale
    one (and a newer one asked for); with none, `compute()` now if `small()` (few cases), else
    nothing yet and the snapshot asked for. With max_age() 0 (snapshots off) always `compute()`.
    `stale_within`: a snapshot older than this counts as none (any age by default)."""
    age = max_age()
    now = clock.now()
    if age <= 0:
        return Served(normalised(compute()), now, False)
    key = snapshot_key(kind, user, params)
    snap = FigureSnapshot.objects.filter(key=key).only("pk", "computed_at", "data", "read_at").first()
    if snap is not None and stale_within is not None and snap.computed_at < now - stale_within:
        snap = None
    if snap is not None:
        snapshot_mark_read(snap, user=user, query=query, now=now)
        if snap.computed_at >= now - timedelta(seconds=age):
            return Served(snap.data, snap.computed_at, True)
        snapshot_request(key=key, kind=kind, user=user, query=query)
        return Served(snap.data, snap.computed_at, True, stale=True)
    if small():
        data = normalised(compute())
        snapshot_store(key=key, kind=kind, data=data, computed_at=now, user=user, query=query, read=True)
        return Served(data, now, False)
    snapshot_request(key=key, kind=kind, user=user, query=query)
    return Served(None, None, False)
