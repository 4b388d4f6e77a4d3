"""退办率 by department: of the hand-overs of the period's cases to each lead department (主办),
how many the department sent back (issues.services.exchange.issue_return). One query."""

from django.db.models import Count, Q

from issues.models import Forwarding


def _pct(n: int, d: int) -> float | None:
    return n / d if d else None


def returns_by_department(cases) -> list[dict]:
    """One row per lead department that was handed a case of `cases`: hand-overs, returns and
    the return rate, the highest rate first (then the most hand-overs)."""
    rows = (
        Forwarding.objects.filter(issue__in=cases.order_by().values("pk"), department__isnull=False)
        .values("department_id", "department__name")
        .annotate(handed=Count("pk"), returned=Count("pk", filter=Q(returned_at__isnull=False)))
        .order_by("department__name")
    )
    table = [
        {
            "department": row["department__name"],
            "handed": row["handed"],
            "returned": row["returned"],
            "rate": _pct(row["returned"], row["handed"]),
        }
        for row in rows
    ]
    return sorted(table, key=lambda row: (-(row["rate"] or 0), -row["handed"], row["department"]))
