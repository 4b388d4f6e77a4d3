"""Reads from the read replica, opt-in per read.

With DATABASE_REPLICA_URL set (liaison.database) there is a `replica` database: a streaming
standby of the primary, a moment behind it. Nothing goes there unless a read asks for it with
`from_replica(queryset)`: dashboards, exports and statistics, which may be a second old, and never
anything that must see its own write. Without a replica those reads go to `default`.

Writes always go to `default`, even for an object read from the replica; migrations run on
`default` only (the standby replays them)."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

REPLICA = "replica"


def replica_alias() -> str:
    return REPLICA if REPLICA in connections.settings else DEFAULT_DB_ALIAS


def from_replica(queryset: QuerySet) -> QuerySet:
    """This read, from the replica when there is one."""
    return queryset.using(replica_alias())


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return None  # the default database, unless the read says otherwise

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True  # the same rows, one a moment behind
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
