"""The 2FA pages under /account/2fa/ (thin: parse the code, call a service, render). They look
like the admin (admin/base_site.html) and are outside the paths that TwoFactorMiddleware
covers, so each guards itself: an enrolled user whose session has not passed the code yet is
sent to the verify page first (or a password alone could add a second authenticator, or
switch the factor off)."""

import io
from functools import wraps
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from accounts import services
from accounts.forms import CodeForm
from accounts.policy import is_enrolled, two_factor_required
from accounts.selectors import otpauth_uri, secret_for_typing, two_factor_status


def _next_url(request) -> str:
    """Where to go afterwards: a local address from ?next=, else the admin's index."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _qr_svg(uri: str, label: str) -> str:
    """The otpauth address as an <svg> element to put in the page, drawn here (no outside service
    sees the secret). Inline markup rather than an <img> with a data: address, which the
    Content-Security-Policy (img-src 'self') refuses. Medium error correction, not the posters' H
    (liaison.qr): a screen does not weather, and fewer modules are easier for a camera to read."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(uri)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(out)
    svg = out.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg") :]  # no XML declaration inside HTML
    attributes = format_html('<svg class="qr" id="totp-qr" role="img" aria-label="{}" ', label)
    return mark_safe(svg.replace("<svg ", attributes, 1))  # noqa: S308 - qrcode's own markup, our label escaped


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _render(request, template: str, title: str, **context):
    return render(
        request,
        template,
        {
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
            "site_url": None,
            "has_permission": request.user.is_active,
            "is_nav_sidebar_enabled": False,
            "title": title,
            **context,
        },
    )


def _verified_if_enrolled(view):
    """An enrolled user enters a code before anything else on these pages."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if is_enrolled(request.user) and not request.user.is_verified():
            return redirect(_with_next("accounts:verify", request.get_full_path()))
        return view(request, *args, **kwargs)

    return guarded


def _pages(view):
    return login_required(never_cache(sensitive_post_parameters("code")(view)))


@_pages
@_verified_if_enrolled
def overview(request):
    return _render(
        request,
        "accounts/overview.html",
        _("Two-step verification"),
        status=two_factor_status(request.user),
        overview=True,
    )


@_pages
@_verified_if_enrolled
def setup(request):
    next_url = _next_url(request)
    if two_factor_status(request.user).has_authenticator:
        messages.info(request, _("Your authenticator app is already set up."))
        return redirect("accounts:overview")
    device = services.authenticator_pending(user=request.user)
    form = CodeForm(request.POST or None, digits_only=True)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = services.authenticator_confirm(
                user=request.user, device_id=device.pk, code=form.cleaned_data["code"]
            )
        except services.TwoFactorError as error:
            form.add_error("code", str(error.message))
        else:
            request.session.cycle_key()
            otp_login(request, enrollment.device)
            return _recovery_codes_page(request, enrollment.recovery_codes, next_url, first_time=True)
    return _render(
        request,
        "accounts/setup.html",
        _("Set up two-step verification"),
        form=form,
        qr_svg=_qr_svg(otpauth_uri(device), _("QR code for the authenticator app")),
        secret=secret_for_typing(device),
        required=two_factor_required(request.user),
        next=next_url,
    )


def _recovery_codes_page(request, codes: list[str], next_url: str, *, first_time: bool):
    # Rendered in the answer to the POST that made them, never stored for a later page: they are
    # shown once.
    return _render(
        request,
        "accounts/recovery_codes.html",
        _("Your recovery codes"),
        codes=codes,
        next=next_url,
        first_time=first_time,
    )


@_pages
def verify(request):
    next_url = _next_url(request)
    user = request.user
    if user.is_verified():
        return redirect(next_url)
    if not is_enrolled(user):
        if two_factor_required(user):
            return redirect(_with_next("accounts:setup", next_url))
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.code_verify(user=user, code=form.cleaned_data["code"])
        except services.TwoFactorError as error:
            form.add_error("code", str(error.message))
        else:
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(next_url)
    return _render(request, "accounts/verify.html", _("Enter your verification code"), form=form, next=next_url)


@_pages
@_verified_if_enrolled
def recovery_codes(request):
    if not is_enrolled(request.user):
        return redirect("accounts:overview")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.recovery_codes_regenerate(user=request.user, code=form.cleaned_data["code"])
        except services.TwoFactorError as error:
            form.add_error("code", str(error.message))
        else:
            return _recovery_codes_page(request, codes, reverse("accounts:overview"), first_time=False)
    return _render(request, "accounts/confirm.html", _("New recovery codes"), form=form, action="regenerate")


@_pages
@_verified_if_enrolled
def disable(request):
    status = two_factor_status(request.user)
    if not status.enrolled:
        return redirect("accounts:overview")
    if status.required:
        messages.error(request, _("Your account must use two-step verification: it cannot be switched off."))
        return redirect("accounts:overview")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
        except services.TwoFactorError as error:
            form.add_error("code", str(error.message))
        else:
            messages.success(request, _("Two-step verification is off."))
            return redirect("accounts:overview")
    return _render(request, "accounts/confirm.html", _("Switch off two-step verification"), form=form, action="disable")
