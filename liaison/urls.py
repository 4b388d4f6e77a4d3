from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from issues.callbacks import governance_callback

admin.site.site_header = _("Liaison · deputy liaison stations")
admin.site.site_title = _("Liaison")
admin.site.index_title = _("Liaison stations administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/governance/callback/", governance_callback, name="governance-callback"),
    path("api/", include("issues.api.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include(("liaison.public.urls", "public"))),
]

if settings.GOVERNANCE_STUB_ENABLED:
    urlpatterns.append(path("governance-stub/", include("governance_stub.urls")))
