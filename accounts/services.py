"""Every write of two-step verification (两步验证): enrolling an authenticator app, issuing
recovery codes, checking a code, switching it off.

Codes are checked on django-otp's devices, whose throttle counts the wrong codes in a row and
then refuses every code for a while. That count is written when a code is wrong, so a wrong code
is reported (raised) only after the transaction that recorded it has committed."""

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import two_factor_required

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


class TwoFactorError(Exception):
    code = "two_factor_error"
    message = _("Two-step verification failed.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class CodeMissing(TwoFactorError):
    code = "otp_required"
    message = _("Enter the 6-digit code from your authenticator app, or a recovery code.")


class WrongCode(TwoFactorError):
    code = "otp_invalid"
    message = _("The code is not correct. Check the time on your phone and enter the newest code.")


class CodeLocked(TwoFactorError):
    """django-otp's throttle: too many wrong codes in a row, every code is refused for a while."""

    code = "otp_locked"

    def __init__(self, locked_until: datetime):
        self.locked_until = locked_until
        self.wait_seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        super().__init__(
            ngettext(
                "Too many wrong codes. Try again in %(seconds)d second.",
                "Too many wrong codes. Try again in %(seconds)d seconds.",
                self.wait_seconds,
            )
            % {"seconds": self.wait_seconds}
        )


class AlreadyEnrolled(TwoFactorError):
    code = "already_enrolled"
    message = _("Your authenticator app is already set up.")


class StillRequired(TwoFactorError):
    code = "two_factor_required"
    message = _("Your account must use two-step verification: it cannot be switched off.")


@dataclass(frozen=True)
class Enrollment:
    device: TOTPDevice
    recovery_codes: list[str]


def normalize_code(code: str) -> str:
    """People copy codes with spaces or dashes ("123 456", "abcd-efgh") and in capitals."""
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def _is_totp_code(code: str) -> bool:
    # Authenticator codes are 6 digits, recovery codes 8 base-32 letters: the form of the code
    # says which device to ask, so a recovery code never counts as a wrong authenticator code.
    return len(code) == 6 and code.isascii() and code.isdigit()


def _verify_on(devices, code: str) -> tuple[Device | None, datetime | None]:
    """The first device that accepts `code`, else None and, if a device refused to try because
    of its throttle, when that ends. Call inside a transaction (rows are locked)."""
    locked_until = None
    for device in devices.select_for_update():
        allowed, info = device.verify_is_allowed()
        if not allowed:
            until = (info or {}).get("locked_until")
            if until is not None and (locked_until is None or until > locked_until):
                locked_until = until
            continue
        if device.verify_token(code):
            return device, None
    return None, locked_until


def _raise_for(device, locked_until) -> None:
    if device is None:
        if locked_until is not None:
            raise CodeLocked(locked_until)
        raise WrongCode()


def _devices_for_code(user, code: str, *, confirmed: bool = True):
    model = TOTPDevice if _is_totp_code(code) else StaticDevice
    return model.objects.filter(user=user, confirmed=confirmed).order_by("pk")


def code_verify(*, user, code: str) -> Device:
    """The device of `user` that accepts `code` (an authenticator code, or a recovery code, which
    is used up). Raises CodeMissing, WrongCode or CodeLocked."""
    code = normalize_code(code)
    if not code:
        raise CodeMissing()
    with transaction.atomic():
        device, locked_until = _verify_on(_devices_for_code(user, code), code)
    _raise_for(device, locked_until)
    return device


def authenticator_pending(*, user) -> TOTPDevice:
    """The authenticator being set up, not yet confirmed. The same secret on every visit to the
    setup page, so that a QR code scanned before a reload stays good."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def authenticator_confirm(*, user, device_id: int, code: str) -> Enrollment:
    """The first code from the app proves it holds the secret: the device is confirmed, the other
    unconfirmed ones go, and a fresh set of recovery codes is issued (returned, shown once)."""
    code = normalize_code(code)
    if not code:
        raise CodeMissing()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise AlreadyEnrolled()
    if not _is_totp_code(code):
        raise WrongCode()
    codes: list[str] = []
    with transaction.atomic():
        pending = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False)
        device, locked_until = _verify_on(pending, code)
        if device is not None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _recovery_codes_replace(user)
    _raise_for(device, locked_until)
    return Enrollment(device=device, recovery_codes=codes)


def _recovery_codes_replace(user) -> list[str]:
    # The device stays (only its codes change): a session verified with a recovery code names it,
    # and would lose its verification if the device were deleted.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    elif not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


def recovery_codes_regenerate(*, user, code: str) -> list[str]:
    """New recovery codes for old ones (lost, or mostly used), proved by a current code."""
    code_verify(user=user, code=code)
    with transaction.atomic():
        return _recovery_codes_replace(user)


def two_factor_disable(*, user, code: str) -> None:
    """Switch two-step verification off (only where the policy does not require it), proved by a
    current code: the authenticator and the recovery codes are deleted."""
    if two_factor_required(user):
        raise StillRequired()
    code_verify(user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def device_unlock(*, device) -> None:
    """A superuser lifts the throttle of a device (its owner, sure of the code, waits no longer)."""
    device.throttle_reset(commit=True)
