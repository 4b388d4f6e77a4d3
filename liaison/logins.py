"""Password spraying from one address is throttled, whatever usernames it tries.

django-axes locks a username after repeated failures from any address; this adds the other
side: an address that keeps failing (one password tried against many accounts) is refused for a
while. The limit is generous because staff of one township office share one public address."""

import logging

from django.core.exceptions import PermissionDenied

from liaison import ratelimit

logger = logging.getLogger(__name__)

LIMIT_NAME = "login_fail_ip"


def _address(request) -> str:
    return ratelimit.client_ip(request) if request is not None else ""


class SprayGuardBackend:
    """Right after django-axes' backend: an address over its failure budget is refused before
    any password is checked. Django's authenticate() stops at the PermissionDenied; the
    flag on the request lets the login pages say why."""

    def authenticate(self, request, **credentials):
        address = _address(request)
        if address and ratelimit.exceeded(LIMIT_NAME, address):
            request.login_throttled = True
            request.axes_locked_out = True  # so django-axes' middleware answers with its lockout page
            logger.warning("login refused: too many failures from %s", address)
            raise PermissionDenied("too many failed logins from this address")
        return None  # no opinion: the next backend checks the password

    # No get_user(): this backend never logs anyone in, so no session names it.


def count_failure(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed: one more failure for the address."""
    address = _address(request)
    if address and not getattr(request, "login_throttled", False):
        ratelimit.count(LIMIT_NAME, address)
