"""Staff pages need a verified session: after the ordinary password login, an enrolled user is
sent to enter a code, and a user who must use two-step verification but has not set it up is
sent to set it up. Runs after django-otp's OTPMiddleware (request.user.is_verified()).

Covered: the admin, the dashboard and the API when used through a session (the browsable API,
the dashboard's fetches). API calls with a token are not: a token is only issued after the
code (api.login.TokenView). The login and logout pages, the 2FA pages themselves
(/account/) and static files are outside the covered paths, so nothing loops."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.policy import is_enrolled, two_factor_required
from liaison.errors import error_body

COVERED_PREFIXES = ("/admin/", "/dashboard/", "/api/")
# The villagers' API never looks at the session (no authentication at all): a staff member's
# unverified cookie sent along must not break a public page that calls it.
PUBLIC_API_PREFIX = "/api/public/"


def _exempt_paths() -> frozenset[str]:
    # Logging in and out must work whatever the second factor's state; the token endpoint checks
    # the code itself; the platform's callback is signed and has no session.
    names = ("admin:login", "admin:logout", "api:token", "governance-callback")
    return frozenset(reverse(name) for name in names)


def _uses_token(request) -> bool:
    # DRF authenticates a "Token …" header before the session and refuses a bad one, so such a
    # request never runs as the session's user. Any other header would fall back on the session.
    return request.headers.get("Authorization", "").strip().lower().startswith("token ")


def _wants_html(request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        target = self._redirect_target(request)
        if target is None:
            return self.get_response(request)
        name, code, message = target
        if request.path_info.startswith("/api/") and not _wants_html(request):
            return JsonResponse(error_body(code, message), status=403)
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(name)}?{query}")

    def _redirect_target(self, request):
        path = request.path_info
        if not path.startswith(COVERED_PREFIXES):
            return None
        if self._exempt is None:
            self._exempt = _exempt_paths()
        if path in self._exempt or path.startswith(PUBLIC_API_PREFIX):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if path.startswith("/api/") and _uses_token(request):
            return None
        if is_enrolled(user):
            return ("accounts:verify", "otp_required", _("Enter your two-step verification code first."))
        if two_factor_required(user):
            return (
                "accounts:setup",
                "two_factor_setup_required",
                _("Your account must use two-step verification: set it up first."),
            )
        return None
