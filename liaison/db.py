"""Database helpers the ORM does not offer.

`insert_together` writes a new row and the new rows that point at it as one unit. On PostgreSQL
that is a single statement (data-modifying WITH clauses), so the villager's submission costs one
round trip instead of a lookup, BEGIN, three INSERTs and COMMIT; elsewhere (SQLite in `make run`)
it is the lookup and the ordinary ORM saves in a transaction. Both give the same rows, the same
primary keys on the instances, and the same IntegrityError with nothing written."""

# ruff: noqa: S608 -- the SQL is built from model metadata only; every value is a parameter.

import functools
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import GeneratedField, Model
from django.db.models.fields import NOT_PROVIDED


class Lookup(NamedTuple):
    """A query whose first row supplies some of the new row's fields (`attnames`, in the query's
    column order). When it finds no row, nothing is written."""

    sql: str
    params: list
    attnames: tuple[str, ...]

    def first_row(self, using: str = "default") -> tuple | None:
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            return cursor.fetchone()


def insert_together(
    parent: Model, dependents: Sequence[Model] = (), *, lookup: Lookup | None = None, using: str = "default"
) -> bool:
    """Insert `parent`, then each of `dependents` with its foreign key to `parent`'s model set to
    the new row; with `lookup`, only if it finds a row, whose values go into `parent` first.
    Returns whether anything was written. Instances come back saved (primary keys set), as after
    `save()`.

    No model `save()` method or signal runs on PostgreSQL: use it only for models whose saving
    is plain (the caller says so where it is used). Models with columns the database fills
    (a GeneratedField, a `db_default`) are refused with TypeError on every backend, since only
    `save()` knows how to leave those columns out and read them back."""
    for model in (type(parent), *(type(dependent) for dependent in dependents)):
        require_plain_insert(model)
    links = [_link(dependent, type(parent)) for dependent in dependents]
    connection = connections[using]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            if lookup is not None:
                row = lookup.first_row(using)
                if row is None:
                    return False
                for attname, value in zip(lookup.attnames, row, strict=True):
                    setattr(parent, attname, value)
            parent.save(force_insert=True, using=using)
            for dependent, link in zip(dependents, links, strict=True):
                setattr(dependent, link.name, parent)
                dependent.save(force_insert=True, using=using)
        return True

    sql, plan = _statement(
        connection.alias,
        (type(parent), *(type(dependent) for dependent in dependents)),
        tuple(link.column for link in links),
        (parent.pk is not None, *(dependent.pk is not None for dependent in dependents)),
        lookup.sql if lookup else None,
        lookup.attnames if lookup else (),
    )
    params = list(lookup.params) if lookup else []
    for instance, fields in zip((parent, *dependents), plan, strict=True):
        params += [_db_value(field, instance, connection) for field in fields]
    if connection.in_atomic_block:
        # A savepoint: a unique violation must leave the caller's transaction usable.
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    else:
        with connection.cursor() as cursor:  # autocommit: the statement is its own transaction
            cursor.execute(sql, params)
            row = cursor.fetchone()
    if row is None:
        return False
    looked_up = lookup.attnames if lookup else ()
    for attname, value in zip(looked_up, row[1 : 1 + len(looked_up)], strict=True):
        setattr(parent, attname, value)
    _saved(parent, row[0], using)
    for dependent, link, pk in zip(dependents, links, row[1 + len(looked_up) :], strict=True):
        setattr(dependent, link.name, parent)
        _saved(dependent, pk, using)
    return True


@functools.cache
def require_plain_insert(model: type[Model]) -> None:
    """Refuse a model whose new rows the statement above cannot write as `save()` would: a
    GeneratedField must not be inserted at all, and a `db_default` column must be left to the
    database when unset, then read back (`RETURNING`). Writing either column as a plain
    parameter would break the insert on PostgreSQL only, so the refusal is loud and everywhere."""
    for field in model._meta.concrete_fields:
        if isinstance(field, GeneratedField) or field.db_default is not NOT_PROVIDED:
            kind = "a GeneratedField" if isinstance(field, GeneratedField) else "a db_default"
            raise TypeError(
                f"insert_together cannot write {model._meta.label}: its field {field.name!r} has {kind}. "
                "Save such rows with Model.save(), or teach liaison.db to leave the column to the database."
            )


def _link(dependent: Model, parent_model: type[Model]):
    for field in dependent._meta.concrete_fields:
        if field.is_relation and field.related_model is parent_model:
            return field
    raise TypeError(f"{type(dependent).__name__} has no foreign key to {parent_model.__name__}")


@functools.lru_cache(maxsize=64)
def _statement(alias: str, models: tuple, links: tuple, has_pk: tuple, lookup_sql, lookup_attnames) -> tuple:
    """WITH [f AS (lookup),] p AS (INSERT parent), d0 AS (INSERT dependent 0), …
    SELECT p's key [and looked-up values], d0's key, … FROM p

    Returns the SQL and, for each row, the fields whose values are its parameters (after the
    lookup's). Cached: a form sends the same shape of rows every time."""
    quote = connections[alias].ops.quote_name
    parent, dependents = models[0], models[1:]
    pk = quote(parent._meta.pk.column)
    clauses, plan = [], []

    filled = {}
    if lookup_sql is not None:
        names = [f"c{n}" for n in range(len(lookup_attnames))]
        clauses.append(f"f({', '.join(names)}) AS ({lookup_sql})")
        filled = {parent._meta.get_field(a).column: c for a, c in zip(lookup_attnames, names, strict=True)}
    fields = _fields(parent, skip=set(filled), has_pk=has_pk[0])
    columns = [quote(f.column) for f in fields] + [quote(c) for c in filled]
    selected = ["%s"] * len(fields) + [f"f.{name}" for name in filled.values()]
    returning = [pk] + [quote(column) for column in filled]
    clauses.append(
        f"p AS (INSERT INTO {quote(parent._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)}{' FROM f LIMIT 1' if filled else ''} RETURNING {', '.join(returning)})"
    )
    plan.append(fields)
    for n, (model, link, pk_set) in enumerate(zip(dependents, links, has_pk[1:], strict=True)):
        fields = _fields(model, skip={link}, has_pk=pk_set)
        columns = [quote(f.column) for f in fields] + [quote(link)]
        clauses.append(
            f"d{n} AS (INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(['%s'] * len(fields) + [f'p.{pk}'])} FROM p "
            f"RETURNING {quote(model._meta.pk.column)})"
        )
        plan.append(fields)
    results = [f"p.{column}" for column in returning] + [
        f"(SELECT {quote(model._meta.pk.column)} FROM d{n})" for n, model in enumerate(dependents)
    ]
    return f"WITH {', '.join(clauses)} SELECT {', '.join(results)} FROM p", tuple(plan)


def _fields(model, *, skip: set[str], has_pk: bool) -> tuple:
    """The fields of a new row, as Model.save() would insert them."""
    return tuple(
        field
        for field in model._meta.local_concrete_fields
        if field.column not in skip and (has_pk or not field.primary_key)
    )


def _db_value(field, instance: Model, connection):
    """The parameter for `field` of a new row, as Model.save() computes it. A nullable field left
    None is NULL whatever its type: it skips the field's conversions, as a third of a new case's
    columns do (dates it has not reached yet)."""
    value = field.pre_save(instance, True)
    if value is None and field.null:
        return None
    return field.get_db_prep_save(value, connection)


def _saved(instance: Model, pk, using: str) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using
