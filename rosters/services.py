"""Roster imports: a preview (the whole file run in a transaction that is rolled back) and the
import itself, all rows or none. Exports and the blank template come from the same resources."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from import_export.results import RowResult

from issues.permissions import scope_of
from liaison.errors import ActionForbidden, InvalidInput
from rosters.parsing import read_dataset
from rosters.resources import RESOURCES

ACTIONS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "changed",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
    RowResult.IMPORT_TYPE_INVALID: "refused",
    RowResult.IMPORT_TYPE_ERROR: "refused",
}


@dataclass
class RowOutcome:
    line: int
    action: str  # new, changed, unchanged, refused
    values: list
    reasons: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    kind: str
    headers: list[str]
    rows: list[RowOutcome]
    written: bool

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("new", "changed", "unchanged", "refused"), 0)
        for row in self.rows:
            out[row.action] += 1
        return out

    @property
    def refused(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action == "refused"]


def may_import(user) -> bool:
    """Station staff (for their own stations) and superusers import rosters."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.staff_station_ids)


def resource_for(user, kind: str):
    if kind not in RESOURCES:
        raise InvalidInput(_("Choose what the file holds."), field="kind")
    if not may_import(user):
        raise ActionForbidden(_("Only a station's staff import its rosters."))
    return RESOURCES[kind](user)


def roster_import(
    *, user, kind: str, data: bytes, filename: str, confirm: bool, progress: Callable[[int, int], None] | None = None
) -> ImportOutcome:
    """Run the file: with `confirm`, write it if every row is acceptable, else nothing at all;
    without, write nothing and say what would happen to each row. `progress(done, total)` is
    told of each row as it is run (inside the import's transaction)."""
    resource = resource_for(user, kind)
    columns = list(resource.columns)
    dataset, lines = read_dataset(data, filename, columns, list(resource.required or columns[:1]))
    resource.lines = lines
    if progress is not None:
        total = len(dataset)
        progress(0, total)
        resource.progress = lambda done: progress(done, total)
    result = resource.import_data(
        dataset, dry_run=not confirm, use_transactions=True, rollback_on_validation_errors=True
    )
    rows = []
    for line, values, row in zip(lines, dataset, result.rows, strict=True):
        reasons = []
        if row.validation_error is not None:
            reasons = [str(m) for m in row.validation_error.messages]
        for error in row.errors:
            reasons.append(_("This row could not be saved: %(error)s") % {"error": str(error.error)[:200]})
        rows.append(
            RowOutcome(line=line, action=ACTIONS.get(row.import_type, "refused"), values=list(values), reasons=reasons)
        )
    refused = any(r.action == "refused" for r in rows) or result.has_errors()
    return ImportOutcome(kind=kind, headers=dataset.headers, rows=rows, written=confirm and not refused)


def roster_export(*, user, kind: str, blank: bool = False) -> list[list]:
    """The roster of the user's stations in the template's columns, headings first, or the
    template itself: the headings alone. (liaison.exports neutralises formulas on the way out.)"""
    resource = resource_for(user, kind)
    model = resource._meta.model
    scope = scope_of(user)
    queryset = model.objects.none() if blank else model.objects.all()
    if not blank and not scope.is_superuser:
        ids = scope.staff_station_ids
        queryset = {
            "stations": lambda q: q.filter(pk__in=ids),
            "deputies": lambda q: q.filter(stationings__station_id__in=ids).distinct(),
            "stationings": lambda q: q.filter(station_id__in=ids),
            "duty_slots": lambda q: q.filter(station_id__in=ids),
        }[kind](queryset)
    exported = resource.export(queryset=queryset)
    return [list(resource.columns), *([row.get(c) for c in resource.columns] for row in exported.dict)]
