"""One governance platform per county (区县): where its cases go, with which token, and which
secrets sign its callbacks. Secrets are never stored: each field names the environment variable
that holds one (set by the deployment), so the database and its backups hold no credential.

Two of each are accepted at once, the current one and the next one, so that a secret or a token
can be rotated without dropping a callback or a case (issues.platform_routing.rotate).

Imported by issues.models, so this is a model of the issues app like any other."""

import os
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")


def validate_env_name(value: str) -> None:
    if value and not _ENV_NAME.match(value):
        raise ValidationError(_("Give the name of an environment variable (capitals, digits and _), not its value."))


class GovernancePlatform(models.Model):
    """A county's platform endpoint. A case goes to the platform of its station's county (the
    nearest region above the station that has one), else to the global settings'."""

    region = models.OneToOneField(
        "stations.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="governance_platform"
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Names the platform in its callback address: /api/governance/callback/<code>/."),
    )
    url = models.URLField(_("platform address"), max_length=300)
    token_env = models.CharField(
        _("token: environment variable"), max_length=100, validators=[validate_env_name], help_text=_("Sent now.")
    )
    next_token_env = models.CharField(
        _("next token: environment variable"),
        max_length=100,
        blank=True,
        validators=[validate_env_name],
        help_text=_("Sent after the rotation."),
    )
    callback_secret_env = models.CharField(
        _("callback secret: environment variable"), max_length=100, validators=[validate_env_name]
    )
    next_callback_secret_env = models.CharField(
        _("next callback secret: environment variable"),
        max_length=100,
        blank=True,
        validators=[validate_env_name],
        help_text=_("Accepted as well as the current one while the platform switches to it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    rotated_at = models.DateTimeField(_("last rotated at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("governance platform")
        verbose_name_plural = _("governance platforms")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @staticmethod
    def _value(name: str) -> str:
        return os.environ.get(name, "") if name else ""

    @property
    def token(self) -> str:
        return self._value(self.token_env)

    def callback_secrets(self) -> list[str]:
        """The secrets a callback from this platform may be signed with: current, then next."""
        values = [self._value(self.callback_secret_env), self._value(self.next_callback_secret_env)]
        return [value for value in values if value]
