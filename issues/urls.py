"""The governance platform's signed callback (outside /api/'s token login: it is authenticated
by its HMAC signature)."""

from django.urls import path

from issues.callbacks import governance_callback

urlpatterns = [
    path("api/governance/callback/", governance_callback, name="governance-callback"),
]
