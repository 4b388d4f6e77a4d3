"""Serve figures from a recent snapshot, or compute them and keep the result.

The key is the user's scope (the exact set of stations and the deputy they may see, never the
user), the kind of figures, the filters and the language: two people with the same scope share
a snapshot, and nobody ever gets figures of a scope that is not theirs."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import get_language

from dashboard.models import FigureSnapshot
from issues import clock
from issues.permissions import scope_of

DEFAULT_MAX_AGE = 10 * 60  # seconds; the refresh task runs as often


def max_age() -> int:
    return int(getattr(settings, "DASHBOARD_SNAPSHOT_MAX_AGE", DEFAULT_MAX_AGE))


def scope_key(user) -> str:
    # Region paths, not the thousands of station ids a county or city official sees.
    return scope_of(user).cache_key


def snapshot_key(kind: str, user, params: dict) -> str:
    raw = json.dumps([kind, scope_key(user), params, get_language()], sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(raw.encode()).hexdigest()


def figures_for(kind: str, user, params: dict, compute, *, refresh: bool = False) -> tuple[dict, object, bool]:
    """(data, computed_at, from_snapshot): a snapshot younger than max_age(), else `compute()`
    (whose result must be JSON-serialisable with DjangoJSONEncoder), kept for the next reader."""
    key = snapshot_key(kind, user, params)
    now = clock.now()
    age = max_age()
    if age > 0 and not refresh:
        snap = FigureSnapshot.objects.filter(key=key, computed_at__gte=now - timedelta(seconds=age)).first()
        if snap is not None:
            return snap.data, snap.computed_at, True
    data = json.loads(json.dumps(compute(), cls=DjangoJSONEncoder))
    if age > 0 or refresh:
        try:
            with transaction.atomic():
                FigureSnapshot.objects.update_or_create(
                    key=key, defaults={"kind": kind, "computed_at": now, "data": data}
                )
        except IntegrityError:  # another request stored it at the same moment
            pass
    return data, now, False
