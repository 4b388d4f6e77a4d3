"""API tokens that end: they expire, die with a password change, and can be revoked.

DRF's Token is one key per user, valid forever; a leaked key would outlive the password that
earned it. Here a key is refused once `API_TOKEN_HOURS` have passed since it was issued (logging
in again issues a new one), `DELETE /api/auth/token/` revokes it, and changing the password or
deactivating the account deletes it."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_HOURS)


def is_expired(token: Token) -> bool:
    return token.created <= timezone.now() - token_lifetime()


def token_for(user) -> Token:
    """The user's current key, or a new one when there is none or it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and is_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def revoke(user) -> int:
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired: get a new one."), code="token_expired")
        return user, token


def revoke_tokens_when_the_password_changes(sender, instance, **kwargs) -> None:
    """pre_save of the user model: a new password hash or a deactivated account ends the key."""
    if instance.pk is None:
        return
    before = get_user_model().objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()
