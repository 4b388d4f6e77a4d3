from django.urls import path

from dashboard import export_views, views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("print/", views.dashboard_print, name="print"),
    path("export/<str:what>.<str:fmt>", views.export, name="export"),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/<int:pk>/", export_views.export_status, name="export-status"),
    path("exports/<int:pk>/download", export_views.export_download, name="export-download"),
]
