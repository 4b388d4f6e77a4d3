"""A case the phone kept while offline (static/public/offline.js) arrives later, marked `queued`.
If the deputy's QR code was rotated meanwhile (or the deputy left), the villager can no longer be
asked to pick the station on a page they may have closed: the case goes to the one station the
old code leads to, and the receipt says so. Anything else is handled as any post is."""

from django.http import HttpResponse, HttpResponseRedirect

from issues.models import Channel
from villagers.selectors import deputy_page, station_page
from villagers.sending import send

MOVED_PARAMETER = "moved"


def queued_to_station(request, token: str) -> HttpResponse | None:
    """The response for a queued post to a deputy code that moved to one station; None when the
    post is not queued or the code still takes cases (the deputy's page handles it then)."""
    if request.POST.get("queued") != "1":
        return None
    page = deputy_page(token)
    if page is None or page.moved_to is None or len(page.moved_to) != 1:
        return None
    station = station_page(page.moved_to[0].qr_token)
    if station is None or station.station is None:
        return None
    outcome = send(
        request,
        channel=Channel.STATION_QR,
        station_id=station.station.pk,
        deputy_id=station.duty_deputy.pk if station.duty_deputy else None,
        rate_key=f"s:{station.station.qr_token}",
    )
    if isinstance(outcome, HttpResponseRedirect):
        url = outcome["Location"]
        return HttpResponseRedirect(url + ("&" if "?" in url else "?") + f"{MOVED_PARAMETER}=1")
    if isinstance(outcome, HttpResponse):
        return outcome
    return None  # mistakes: the deputy's page shows the form again with the station to send to
