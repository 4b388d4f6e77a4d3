"""The dashboard (数据驾驶舱): the page, its print view and its exports. Thin: filters → selector
→ rendering. Every one of them starts from the same scoped, filtered selection."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboard import exports
from dashboard.figures import ACTIVITY_CARDS, CARDS, EXPLANATIONS, cards
from dashboard.forms import filters_for
from dashboard.models import ExportLog
from dashboard.page import served_page_figures
from dashboard.selectors import STATE_GROUPS, StationRow, state_group_labels
from dashboard.services import export_job_request, export_log_record
from dashboard.snapshots import max_age
from issues import clock
from issues.permissions import scope_of
from issues.stats import REPLY_BUCKET_DAYS, figure_cases, issue_stats
from liaison.replica import from_replica, reading_from_replica

# A case list longer than this is written in the background (dashboard.services.export_job_build).
SYNC_EXPORT_MAX = 5000
# The page saying the figures are being computed reloads itself this often (no JavaScript needed).
COMPUTING_RELOAD_SECONDS = 3


def _scope_label(request, f) -> str:
    if f.station:
        return f.station.name
    if f.region:
        return f.region.name
    scope = scope_of(request.user)
    if scope.is_superuser:
        return _("Whole network")
    if scope.region_paths:
        from stations.models import Region

        ids = [int(p.strip("/").split("/")[-1]) for p in scope.region_paths]
        return "、".join(Region.objects.filter(pk__in=ids).order_by("path").values_list("name", flat=True))
    return _("My stations")


def _bucket_labels() -> list[str]:
    labels, lower = [], None
    for days in REPLY_BUCKET_DAYS:
        labels.append(_("≤ %(n)d d") % {"n": days} if lower is None else _("%(a)d–%(b)d d") % {"a": lower, "b": days})
        lower = days
    labels.append(_("> %(n)d d") % {"n": lower})
    return labels


def _chart_data(data: dict) -> dict:
    groups = state_group_labels()
    f = data["figures"]
    return {
        "weekly": {
            "labels": [r["label"] for r in data["weekly"]],
            "series": [
                {"key": key, "name": groups[key], "data": [r[key] for r in data["weekly"]]} for key, _s in STATE_GROUPS
            ],
        },
        "categories": [{"name": r["name"], "value": r["n"]} for r in data["categories"]],
        "stations": [{"name": r.name, "value": r.received} for r in data["stations"] if r.received][:15],
        "reply_time": {
            "labels": _bucket_labels(),
            "data": [b["value"] for b in f["reply_time_distribution"]["buckets"]],
        },
        "satisfaction": {
            "labels": [r["label"] for r in data["satisfaction"]],
            "data": [round(r["rate"] * 100, 1) if r["rate"] is not None else None for r in data["satisfaction"]],
            "evaluated": [r["evaluated"] for r in data["satisfaction"]],
        },
        "labels": {
            "cases": _("Number of cases"),
            "satisfaction": _("Satisfaction rate (%)"),
            "evaluated": _("Cases rated"),
        },
    }


def _filter_fields(form) -> list[dict]:
    """The filter form as plain data: Django's widget templates cost a template per option,
    which is most of the page's time with 200 stations."""
    fields = []
    for bound in form:
        current = bound.value()
        current = "" if current is None else str(current)
        field = {"name": bound.name, "label": bound.label, "value": current, "options": None}
        if hasattr(bound.field, "choices"):
            field["options"] = [(str(v), str(label), str(v) == current) for v, label in bound.field.choices]
        fields.append(field)
    return fields


def _activity_cards(activities: dict | None) -> list[dict]:
    if not activities:
        return []
    held = activities["activities_held"]
    count = {
        "key": "activities_held",
        "label": _("Activities held"),
        "kind": "count",
        "explanation": EXPLANATIONS["activities_held"],
        "target": "",
    }
    return [{**count, "value": held["total"], "definition": held["definition"]}, *cards(activities, ACTIVITY_CARDS)]


def _hydrate(data: dict) -> dict:
    """A snapshot's plain data back into what the templates read."""
    figures = data["figures"]
    for name in ("start", "end", "computed_at"):
        if isinstance(figures.get(name), str):
            figures[name] = parse_datetime(figures[name])
    data["stations"] = [StationRow(**row) for row in data["stations"]]
    for row in [*data["overdue"], *data["extended"]["rows"]]:
        for name in ("deadline", "original_deadline"):
            if isinstance(row.get(name), str):
                row[name] = parse_datetime(row[name])
    return data


def _computing_context(request, form, f) -> dict:
    return {
        "form": form,
        "filter_fields": _filter_fields(form),
        "filters": f,
        "scope_label": _scope_label(request, f),
        "query": request.GET.urlencode(),
        "reload_seconds": COMPUTING_RELOAD_SECONDS,
    }


def _page(request, template: str, **extra):
    """The page (or its print view) from the figures served (dashboard.page): when none can be
    shown yet, a page saying they are being computed that reloads itself."""
    form, f, served = served_page_figures(request.user, request.GET)
    if served.computing:
        return render(request, "dashboard/computing.html", {**_computing_context(request, form, f), **extra})
    data = _hydrate(served.data)
    context = {
        **_computing_context(request, form, f),
        "computed_at": served.computed_at,
        "from_snapshot": served.from_snapshot,
        "stale": served.stale,
        "refresh_minutes": max(1, max_age() // 60),
        "cards": cards(data["figures"], CARDS),
        "activity_cards": _activity_cards(data["activities"]),
        "activities": data["activities"],
        "chart_data": _chart_data(data),
        "bucket_labels": list(
            zip(_bucket_labels(), data["figures"]["reply_time_distribution"]["buckets"], strict=True)
        ),
        "state_groups": [(key, state_group_labels()[key]) for key, _s in STATE_GROUPS],
        "extension_max_days": settings.ISSUE_EXTENSION_MAX_WORKING_DAYS,
        "extensions_per_round": settings.ISSUE_EXTENSIONS_PER_ROUND,
        **data,
        **extra,
    }
    return render(request, template, context)


@require_GET
@login_required
def dashboard(request):
    return _page(request, "dashboard/dashboard.html")


@require_GET
@login_required
def dashboard_print(request):
    return _page(request, "dashboard/print.html", printing=True)


@require_GET
@login_required
def export(request, what: str, fmt: str):
    if what not in ("figures", "cases") or fmt not in ("csv", "xlsx"):
        raise Http404
    _form, f = filters_for(request)
    stamp = f"{f.first_day:%Y%m%d}-{f.last_day:%Y%m%d}"
    if what == "figures":
        from dashboard.selectors import activity_figures

        with reading_from_replica():
            figures = issue_stats(request.user, **f.stats_kwargs(), extra_figures=True)
            activities = activity_figures(request.user, f)
        heading = [_("Figures of %(scope)s") % {"scope": _scope_label(request, f)}, f"{f.first_day} – {f.last_day}"]
        rows = exports.figure_rows(figures, activities, heading)
        title = _("Figures")
    else:
        selection = from_replica(figure_cases(request.user, **f.stats_kwargs()))
        if selection.order_by()[: SYNC_EXPORT_MAX + 1].count() > SYNC_EXPORT_MAX:
            # Too many to write while the browser waits: in the background, followed on a page.
            job = export_job_request(user=request.user, fmt=fmt, query_string=request.GET.urlencode())
            return redirect("dashboard:export-status", pk=job.pk)
        cases, count = exports.pinned(selection)
        # Recorded before the file goes out: the list carries villagers' personal data.
        export_log_record(
            user=request.user,
            export=ExportLog.Export.CASES,
            fmt=fmt,
            query_string=request.GET.urlencode(),
            filters=f.key(),
            row_count=count,
        )
        rows = exports.case_rows(cases, clock.now())
        title = _("Cases")
    filename = f"{what}-{stamp}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(rows, filename)
    return exports.xlsx_response(rows, filename, title)
