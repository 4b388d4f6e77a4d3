"""What the 2FA tests share: the ordinary admin login, the code an authenticator app would
show now, and a user enrolled through the services."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from testsupport.twofactor import current_code
from testsupport.world import PASSWORD

ADMIN_INDEX = "/admin/"
SETUP = "/account/2fa/setup/"
VERIFY = "/account/2fa/verify/"


def password_login(username: str, **client_kwargs) -> Client:
    """The admin's ordinary login form, as a person uses it: a new session, the password only."""
    client = Client(**client_kwargs)
    response = client.post(reverse("admin:login"), {"username": username, "password": PASSWORD, "next": ADMIN_INDEX})
    assert response.status_code == 302, "the password login failed"
    return client


def code_now(device: TOTPDevice) -> str:
    """What the authenticator app shows at this moment (computed from the device's key)."""
    return current_code(device)


def code_of_next_step(device: TOTPDevice) -> str:
    """The code of the next 30 s step, which the device's tolerance also accepts: for real-time
    tests, where the current step's code may already have been used to enroll."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + 1):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the device refuses now (none of the codes its tolerance accepts)."""
    device.refresh_from_db()
    accepted = {
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=d):06d}"
        for d in (device.drift - 1, device.drift, device.drift + 1)
    }
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def enroll(user) -> tuple[TOTPDevice, list[str]]:
    """`user` with a confirmed authenticator and recovery codes (as after the setup page)."""
    device = services.authenticator_pending(user=user)
    enrollment = services.authenticator_confirm(user=user, device_id=device.pk, code=code_now(device))
    return enrollment.device, enrollment.recovery_codes


def redirect_path(response) -> str:
    assert response.status_code == 302, f"expected a redirect, got {response.status_code}"
    return response["Location"].split("?")[0]
