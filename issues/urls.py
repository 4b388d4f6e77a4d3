"""The governance platforms' signed callbacks: the global platform's, and each county platform's
by its code (outside /api/'s token login: they are authenticated by their HMAC signatures)."""

from django.urls import path

from issues.callbacks import governance_callback

urlpatterns = [
    path("api/governance/callback/", governance_callback, name="governance-callback"),
    path("api/governance/callback/<slug:code>/", governance_callback, name="governance-callback-platform"),
]
