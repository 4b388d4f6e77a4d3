"""Elderly mode (长辈版, after MIIT's 2021 guidance for elderly-friendly websites, 适老化): larger
text and buttons, higher contrast, one column, the form's essential fields only. A link in every
villager page's header switches it on or off; a cookie remembers the choice. No JavaScript: the
link is a plain GET that sets the cookie and comes back to the page it was tapped on.

The large mode's stylesheet (templates/public/_elder.css) is a second inline <style>, present only
in that mode and allowed by its hash like the first (liaison.csp)."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from villagers.errors import not_found, villager_page

COOKIE = "liaison_mode"
ELDER = "elder"
STANDARD = "standard"
COOKIE_AGE = 2 * 365 * 24 * 3600  # a preference for this phone, kept two years


def is_elder(request) -> bool:
    return request is not None and request.COOKIES.get(COOKIE) == ELDER


def mode_context(request) -> dict:
    """A template context processor: `elder` (the mode this page is drawn in) and `here` (the path
    the mode switch comes back to)."""
    if request is None:
        return {}
    return {"elder": is_elder(request), "here": request.path}


def _back_to(request) -> str:
    target = request.GET.get("next", "")
    safe = (
        len(target) <= 300
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    )
    return target if safe else "/"


@villager_page
@require_http_methods(["GET", "HEAD"])
def switch(request, mode: str):
    """/mode/elder/ or /mode/standard/?next=/the/page/: remember the mode, go back to the page."""
    if mode not in (ELDER, STANDARD):
        return not_found(request)
    response = HttpResponseRedirect(_back_to(request))
    response["Cache-Control"] = "no-store"
    if mode == ELDER:
        response.set_cookie(COOKIE, ELDER, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
