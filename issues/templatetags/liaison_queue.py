"""My queue in the admin's header and on its index: how many cases wait for the signed-in
deputy or station staff member, how many of them are overdue or due today, each a link to the
queue."""

from django import template
from django.urls import reverse

from issues.queue import queue_counts

register = template.Library()


def _counts(context):
    # Header and index ask on the same page: one query per request.
    request = context["request"]
    if not hasattr(request, "_liaison_queue_counts"):
        request._liaison_queue_counts = queue_counts(request.user)
    return request._liaison_queue_counts


@register.inclusion_tag("admin/liaison/queue_link.html", takes_context=True)
def queue_link(context) -> dict:
    counts = _counts(context)
    if counts is None:
        return {"counts": None}
    return {"counts": counts, "url": reverse("admin:issues_issue_changelist") + "?queue=mine"}


@register.inclusion_tag("admin/liaison/queue_tiles.html", takes_context=True)
def queue_tiles(context) -> dict:
    counts = _counts(context)
    if counts is None:
        return {"counts": None}
    url = reverse("admin:issues_issue_changelist") + "?queue=mine"
    return {
        "counts": counts,
        "rows": [
            {"key": "queue", "number": counts.total, "url": url},
            {"key": "queue_overdue", "number": counts.overdue, "url": url + "&deadline=overdue"},
            {"key": "queue_due_today", "number": counts.due_today, "url": url + "&deadline=due_today"},
        ],
    }
