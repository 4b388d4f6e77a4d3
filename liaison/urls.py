from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from issues.callbacks import governance_callback
from liaison import health
from liaison.favicon import favicon

admin.site.site_header = _("Liaison · deputy liaison stations")
admin.site.site_title = _("Liaison")
admin.site.index_title = _("Liaison stations administration")

# A database out of connections answers 503 with Retry-After; anything else a plain Chinese 500.
handler500 = "liaison.failsafe.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/governance/callback/", governance_callback, name="governance-callback"),
    path("api/governance/callback/<slug:code>/", governance_callback, name="governance-callback-platform"),
    path("api/", include("issues.api.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("account/", include("accounts.urls")),
    path("", include(("liaison.public.urls", "public"))),
]

if settings.GOVERNANCE_STUB_ENABLED:
    urlpatterns.append(path("governance-stub/", include("governance_stub.urls")))
