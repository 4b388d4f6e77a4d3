"""Reads of "me too" (我也遇到): what a station's public page shows, how many villagers said
"me too" to a case (a column of the case list that staff may sort the queue by), and the
de-identified text staff review before showing a case. Writes are in issues.services.metoo."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from issues.models import OPEN_STATES, Issue, PublicCall, Seconding
from liaison.deidentify import Deidentified, deidentify

SHOWN_ON_PAGE = 10  # the station's page lists at most this many, the most seconded first


def _seconded_subquery(issue_ref: str = "pk"):
    counted = Seconding.objects.filter(issue=OuterRef(issue_ref)).order_by().values("issue").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


def with_seconded_count(cases: QuerySet[Issue]) -> QuerySet[Issue]:
    """`cases` with `seconded_count`: how many villagers said "me too" to each."""
    return cases.annotate(seconded_count=_seconded_subquery())


def public_calls_of(station, limit: int = SHOWN_ON_PAGE) -> list[PublicCall]:
    """The station's open cases shown for "me too", each with `seconded_count`, the most seconded
    first, then the newest."""
    return list(
        PublicCall.objects.filter(station=station, hidden_at__isnull=True, issue__state__in=OPEN_STATES)
        .annotate(seconded_count=_seconded_subquery("issue_id"))
        .only("text", "shown_at", "station_id", "issue_id")
        .order_by("-seconded_count", "-shown_at")[:limit]
    )


@dataclass
class CallPanel:
    """The case page's "me too" panel: the call if shown, the count, and the text to review."""

    call: PublicCall | None
    seconded: int
    with_phone: int
    review: Deidentified | None


def call_panel(issue: Issue, *, may_show: bool) -> CallPanel:
    call = PublicCall.objects.filter(issue=issue).first()
    figures = Seconding.objects.filter(issue=issue).aggregate(n=Count("pk"), phones=Count("pk", filter=~Q(phone="")))
    review = None
    if may_show and issue.state in OPEN_STATES and (call is None or not call.is_live):
        names = [issue.submitter_name] if issue.submitter_name else []
        review = deidentify(call.text if call is not None else issue.text_for_matching, names=names)
    return CallPanel(call=call, seconded=figures["n"], with_phone=figures["phones"], review=review)
