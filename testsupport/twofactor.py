"""Logging a test client in as someone who has passed two-step verification, the way
django-otp's own tests do: a confirmed authenticator for the user, and the session naming it
(django_otp.DEVICE_ID_SESSION_KEY), as django_otp.login() leaves it after a right code.

Superusers must use two-step verification (accounts.policy), so a test that opens the admin or
the dashboard as the superuser logs in with this instead of a bare force_login; a browser test
that logs in through the form calls complete_two_factor() after sending it."""

from urllib.parse import urlparse

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def verified_login(client, user, *, backend: str = MODEL_BACKEND):
    client.force_login(user, backend=backend)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def current_code(device: TOTPDevice) -> str:
    """What the authenticator app shows at this moment, computed from the device's key."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def complete_two_factor(page, user) -> None:
    """In a browser (Playwright page) that has just sent the admin's login form: do what the
    person would if asked next, i.e. enter the app's code, or set the app up and go on past the
    recovery codes. A user who is asked nothing is left where the login went."""
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    path = urlparse(page.url).path
    if path == reverse("accounts:verify"):
        page.fill("#id_code", current_code(TOTPDevice.objects.get(user=user, confirmed=True)))
        page.click("input[type=submit]")
        page.wait_for_url(lambda url: urlparse(url).path != path)
    elif path == reverse("accounts:setup"):
        page.fill("#id_code", current_code(TOTPDevice.objects.get(user=user, confirmed=False)))
        page.click("input[type=submit]")
        page.wait_for_selector("#recovery-codes")
        page.click("#recovery-codes ~ p a")
        page.wait_for_url(lambda url: urlparse(url).path != path)
