"""Mounted at /account/ by liaison/urls.py."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/", views.overview, name="overview"),
    path("2fa/setup/", views.setup, name="setup"),
    path("2fa/verify/", views.verify, name="verify"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("2fa/disable/", views.disable, name="disable"),
]
