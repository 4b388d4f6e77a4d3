"""The results wall (办理结果公示) of a station, and the villager's request to take their case
down from it (from the tracking page, so only the holder of the tracking link can ask). Thin:
selectors and services of the results app."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from issues.models import Rating
from liaison.errors import IssueNotFound
from liaison.ratelimit import client_ip, hit
from results.selectors import wall_of
from results.services import publication_take_down
from stations.models import Station
from villagers.errors import not_found, villager_page


@villager_page
@require_http_methods(["GET", "HEAD"])
def wall(request, pk: int):
    hit("page_ip", client_ip(request))
    station = Station.objects.filter(pk=pk, is_active=True).first()
    if station is None:
        return not_found(request)
    ratings = dict(Rating.choices)
    results = [(p, ratings.get(p.issue.rating, "")) for p in wall_of(station)]
    return render(request, "public/results.html", {"station": station, "results": results})


@villager_page
@require_http_methods(["POST"])
def take_down(request, tracking_code: str):
    hit("evaluate_ip", client_ip(request))
    try:
        publication_take_down(tracking_code=tracking_code)
    except IssueNotFound:
        return not_found(request)
    return redirect(reverse("public:track", args=[tracking_code]) + "?taken_down=1")
