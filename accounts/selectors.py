"""Reads about a user's second factor: what the account page and the setup page show."""

from base64 import b32encode
from dataclasses import dataclass

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import is_enrolled, two_factor_required


@dataclass(frozen=True)
class TwoFactorStatus:
    enrolled: bool
    has_authenticator: bool
    required: bool
    recovery_codes_left: int


def two_factor_status(user) -> TwoFactorStatus:
    return TwoFactorStatus(
        enrolled=is_enrolled(user),
        has_authenticator=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        required=two_factor_required(user),
        recovery_codes_left=StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
    )


def otpauth_uri(device: TOTPDevice) -> str:
    """What the QR code holds: otpauth://totp/<issuer>:<username>?secret=…&issuer=… (the issuer is
    settings.OTP_TOTP_ISSUER)."""
    return device.config_url


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of four, for apps without a camera."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
