"""Reads from the read replica, opt-in per read.

With DATABASE_REPLICA_URL set (liaison.database) there is a `replica` database: a streaming
standby of the primary, a moment behind it. Nothing reads from it unless the code asks, around a
read that may be a second old (dashboards, exports, statistics):

    with reading_from_replica():
        figures = dashboard_data(user, filters)

or for one queryset, `from_replica(queryset)`. Never for anything that must see its own write:
inside a transaction on the primary (a service's `atomic` block) reads stay on the primary even
within `reading_from_replica()`. Without a replica every read goes to `default`.

Writes always go to `default`, even for an object read from the replica; migrations run on
`default` only (the standby replays them)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.utils import ConnectionDoesNotExist

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("liaison_reading_from_replica", default=False)


def replica_alias() -> str:
    """The replica when there is one and the primary's connection is not inside a transaction
    (whose own writes the replica has not got)."""
    if not _has_replica() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


def _has_replica() -> bool:
    try:
        connections[REPLICA]
    except ConnectionDoesNotExist:
        return False
    return True


def from_replica(queryset: QuerySet) -> QuerySet:
    """This read, from the replica when there is one."""
    return queryset.using(replica_alias())


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Every read in this block, from the replica when there is one."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_from_replica.get():
            return replica_alias()
        return None  # the default database, or the database of the instance the read starts from

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True  # the same rows, one a moment behind
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def on_replica(function, *args, **kwargs):
    """function(*args, **kwargs) with its reads from the replica (see reading_from_replica)."""
    with reading_from_replica():
        return function(*args, **kwargs)
