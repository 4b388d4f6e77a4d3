""" "Me too" (我也遇到) from the station's page: a plain POST form per shown problem (no
JavaScript needed), answered with a page that says what happened, in Chinese. One per device
(a signed, long-lived cookie) and one per mobile number; rate-limited per address. Thin: the
rules are issues.services.metoo.issue_second."""

import secrets

from django.core import signing
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from issues.services.metoo import issue_second
from liaison.errors import IllegalTransition, InvalidInput, IssueError, IssueNotFound
from liaison.ratelimit import client_ip, hit
from villagers.errors import not_found, villager_page
from villagers.selectors import station_page

DEVICE_COOKIE = "liaison_device"
DEVICE_SALT = "villagers.metoo.device"
DEVICE_COOKIE_AGE = 5 * 365 * 24 * 3600  # this phone, for as long as a problem may stay open


def device_of(request) -> tuple[str, bool]:
    """The device's id from its signed cookie, or a new one (and True: the cookie must be set)."""
    try:
        found = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    except signing.BadSignature:
        found = None
    if found and len(found) <= 100:
        return found, False
    return secrets.token_urlsafe(18), True


@villager_page
@require_http_methods(["POST"])
def second(request, token: str, call_id: int):
    hit("second_ip", client_ip(request))
    page = station_page(token)
    if page is None or page.station is None:
        return not_found(request)
    back = reverse("public:station", args=[page.station.qr_token]) + "#metoo"
    device, fresh = device_of(request)
    status, title = 200, _("Thank you: you said “me too”")
    message = _(
        "The station sees how many villagers have this problem. It stays on the station's page until it is answered."
    )
    try:
        seconding = issue_second(
            station_id=page.station.pk,
            call_id=call_id,
            device_id=device,
            phone=request.POST.get("phone", "")[:40],
            consent=request.POST.get("consent") == "1",
        )
    except IssueNotFound as error:
        status, title, message = 404, _("This problem is not shown any more"), error.message
    except InvalidInput as error:
        status, title, message = 400, _("Not recorded"), error.message
    except IllegalTransition as error:
        status, title, message = 409, _("Already recorded"), error.message
    except IssueError as error:
        status, title, message = 400, _("Not recorded"), error.message
    else:
        if seconding.phone:
            message = _("We will text you when it is answered. %(rest)s") % {"rest": message}
    response = render(
        request,
        "public/message.html",
        {"title": title, "message": message, "back_url": back, "back_label": _("Back to the station's page")},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    if fresh:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device,
            salt=DEVICE_SALT,
            max_age=DEVICE_COOKIE_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response
