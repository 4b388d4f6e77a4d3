from django.urls import path

from rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<str:kind>/<str:what>.<str:fmt>", views.download, name="download"),
]
