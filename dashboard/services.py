"""The dashboard's writes: the record of each export that carries personal data."""

from dashboard.models import ExportLog

QUERY_STRING_MAX = 2000


def export_log_record(*, user, export: str, fmt: str, query_string: str, filters: dict, row_count: int) -> ExportLog:
    """Write down that `user` exported `row_count` rows of `export` as `fmt`: the query string as
    sent (cut to a sane length: it is the user's to type) and the filters actually applied
    after validation, which is what the file holds."""
    if export not in ExportLog.Export.values or fmt not in ExportLog.Format.values:
        raise ValueError(f"unknown export {export!r} as {fmt!r}")
    return ExportLog.objects.create(
        user=user,
        username=user.get_username(),
        export=export,
        format=fmt,
        query_string=query_string[:QUERY_STRING_MAX],
        filters=filters,
        row_count=row_count,
    )
