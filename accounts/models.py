"""The second factor as the admin shows it: django-otp's devices under Chinese names, in this
app's section. Proxies only (no tables of their own): the devices live in django-otp's tables."""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class Authenticator(TOTPDevice):
    """A staff member's authenticator app (身份验证器): the TOTP secret they scanned."""

    class Meta:
        proxy = True
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self):
        return str(self.user)


class RecoveryCodeSet(StaticDevice):
    """A staff member's recovery codes (恢复码): ten single-use codes for a lost phone."""

    class Meta:
        proxy = True
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return str(self.user)
