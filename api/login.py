"""Logging in for an API token (POST /api/auth/token/) and revoking it (DELETE): the password,
django-axes' lockout and the spraying throttle, then the second factor for enrolled users."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.policy import is_enrolled, two_factor_required
from accounts.services import CodeLocked, CodeMissing, WrongCode, code_verify
from api import serializers as s
from api.auth import ExpiringTokenAuthentication, revoke, token_for, token_lifetime
from api.errors import TooManyRequests
from api.views import PublicApiView
from liaison.failsafe import SafeJSONParser
from liaison.ratelimit import client_ip


class LoginThrottle(SimpleRateThrottle):
    """Per client IP, on top of django-axes' lockout of a username after repeated failures."""

    scope = "token_login"
    rate = "10/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def allow_request(self, request, view):
        if not settings.RATE_LIMITS_ENABLED:
            return True
        return super().allow_request(request, view)


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_credentials"
    default_detail = _("Wrong username or password.")


class TwoFactorCodeMissing(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "otp_required"
    default_detail = _("Send otp_token: the code from your authenticator app, or a recovery code.")


class TwoFactorCodeWrong(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "otp_invalid"
    default_detail = _("The two-step verification code is not correct.")


class TwoFactorSetupRequired(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "two_factor_setup_required"
    default_detail = _("Your account must use two-step verification: set it up in the browser first.")


@extend_schema(
    tags=["auth"],
    summary=_("Get an API token"),
    request=s.TokenRequestSerializer,
    responses={200: s.TokenSerializer},
)
class TokenView(PublicApiView):
    throttle_classes = [LoginThrottle]
    parser_classes = [SafeJSONParser, FormParser]
    error_statuses = (400, 401, 403, 429)

    def post(self, request):
        body = s.TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        credentials = dict(body.validated_data)
        otp_token = credentials.pop("otp_token", "")
        # The DRF request, not the Django one: django-axes then records failures and refuses
        # locked-out users, but its middleware does not swap our JSON error for its page.
        # authenticate() swallows the backends' PermissionDenied: a refusal shows as flags.
        user = authenticate(request=request, **credentials)
        if getattr(request, "axes_locked_out", False) or getattr(request, "login_throttled", False):
            raise TooManyRequests(wait=int(settings.AXES_COOLOFF_TIME * 3600))
        if user is None or not user.is_active:
            raise InvalidCredentials()
        # The second factor, as in the browser (accounts): an enrolled user sends a code; a user
        # who must use it but has not set it up gets no token until they have.
        if is_enrolled(user):
            try:
                code_verify(user=user, code=otp_token)
            except CodeMissing:
                raise TwoFactorCodeMissing() from None
            except CodeLocked as error:
                raise TooManyRequests(wait=error.wait_seconds) from None
            except WrongCode:
                raise TwoFactorCodeWrong() from None
        elif two_factor_required(user):
            raise TwoFactorSetupRequired()
        token = token_for(user)
        return Response({"token": token.key, "expires_at": token.created + token_lifetime()})

    @extend_schema(summary=_("Revoke your API token"), request=None, responses={204: None})
    def delete(self, request):
        user = request.user
        if not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        revoke(user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticators(self):
        # Anyone may ask for a token (an expired one still sent along must not stop that);
        # revoking one needs it.
        method = getattr(self.request, "method", None)  # None while the schema is generated
        return [ExpiringTokenAuthentication()] if method == "DELETE" else []
