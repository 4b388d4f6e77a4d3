from django.urls import path

from records import views

app_name = "records"
urlpatterns = [
    path("", views.deputy_list, name="deputies"),
    path("<int:pk>/", views.deputy_record, name="deputy"),
]
