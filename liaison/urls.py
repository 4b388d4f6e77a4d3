from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Liaison · deputy liaison stations")
admin.site.site_title = _("Liaison")
admin.site.index_title = _("Liaison stations administration")

urlpatterns = [
    path("admin/", admin.site.urls),
]
