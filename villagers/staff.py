"""Pages for staff around the villager's path: printable posters and cards with the QR codes,
the QR images themselves, and case photos. Each checks the user's scope; outside it, 404."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from deputies.models import Deputy, Stationing
from issues.models import Attachment
from issues.permissions import scope_of
from issues.selectors import issues_visible_to
from liaison.qr import deputy_public_url, qr_png, qr_svg, station_public_url
from stations.models import Station
from villagers.views import photo_response

_FORMATS = {"png": ("image/png", qr_png), "svg": ("image/svg+xml", qr_svg)}


def _may_print_station(user, station: Station) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or station.pk in scope.named_station_ids or scope.in_regions(station.region.path)


def _may_print_deputy(user, deputy: Deputy) -> bool:
    scope = scope_of(user)
    if scope.is_superuser or scope.deputy_id == deputy.pk:
        return True
    return Stationing.objects.current().filter(scope.station_filter("station__"), deputy=deputy).exists()


def _visible_station(user, pk) -> Station:
    station = get_object_or_404(Station.objects.select_related("region"), pk=pk)
    if not _may_print_station(user, station):
        raise Http404
    return station


def _visible_deputy(user, pk) -> Deputy:
    deputy = get_object_or_404(Deputy, pk=pk)
    if not _may_print_deputy(user, deputy):
        raise Http404
    return deputy


def inline_svg(url: str, label: str) -> str:
    """The QR as an <svg> element to put straight into a page (sized by CSS, printed sharp)."""
    svg = qr_svg(url).decode()
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg class="qr" role="img"', svg, count=1)
    return svg.replace("<svg ", f'<svg aria-label="{_escape_attr(label)}" ', 1)


def _escape_attr(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


def _deputy_card(deputy: Deputy) -> dict:
    url = deputy_public_url(deputy)
    stations = [s.station for s in Stationing.objects.current().filter(deputy=deputy).select_related("station")]
    return {
        "deputy": deputy,
        "stations": stations,
        "url": url,
        "qr": mark_safe(inline_svg(url, _("QR code of deputy %(name)s") % {"name": deputy.name})),  # noqa: S308
    }


@login_required
@require_GET
def deputy_poster(request, pk: int):
    deputy = _visible_deputy(request.user, pk)
    return render(request, "public/poster_deputy.html", {"card": _deputy_card(deputy)})


@login_required
@require_GET
def station_poster(request, pk: int):
    station = _visible_station(request.user, pk)
    url = station_public_url(station)
    deputies = [
        s.deputy
        for s in Stationing.objects.current()
        .filter(station=station, deputy__is_active=True)
        .select_related("deputy")
        .order_by("-kind", "deputy__name")
    ]
    qr = mark_safe(inline_svg(url, _("QR code of %(station)s") % {"station": station.name}))  # noqa: S308
    return render(
        request, "public/poster_station.html", {"station": station, "url": url, "qr": qr, "deputies": deputies}
    )


@login_required
@require_GET
def station_cards(request, pk: int):
    station = _visible_station(request.user, pk)
    deputies = (
        Deputy.objects.filter(
            is_active=True, pk__in=Stationing.objects.current().filter(station=station).values("deputy")
        )
        .order_by("name")
        .distinct()
    )
    cards = [_deputy_card(d) for d in deputies]
    return render(request, "public/poster_cards.html", {"station": station, "cards": cards})


def _qr_response(url: str, fmt: str, filename: str) -> HttpResponse:
    if fmt not in _FORMATS:
        raise Http404
    content_type, draw = _FORMATS[fmt]
    response = HttpResponse(draw(url), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "private, no-cache"  # a rotated token must not be served stale
    return response


@login_required
@require_GET
def deputy_qr(request, pk: int, fmt: str):
    deputy = _visible_deputy(request.user, pk)
    return _qr_response(deputy_public_url(deputy), fmt, f"deputy-{deputy.pk}")


@login_required
@require_GET
def station_qr(request, pk: int, fmt: str):
    station = _visible_station(request.user, pk)
    return _qr_response(station_public_url(station), fmt, f"station-{station.pk}")


@login_required
@require_GET
def staff_photo(request, attachment_id: int):
    """A case photo for staff whose scope includes the case."""
    attachment = Attachment.objects.filter(pk=attachment_id).only("pk", "issue_id", "image").first()
    if attachment is None or not issues_visible_to(request.user).filter(pk=attachment.issue_id).exists():
        raise Http404
    return photo_response(attachment)
