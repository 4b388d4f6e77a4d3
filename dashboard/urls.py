from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("print/", views.dashboard_print, name="print"),
    path("export/<str:what>.<str:fmt>", views.export, name="export"),
]
