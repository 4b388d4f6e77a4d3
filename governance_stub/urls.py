from django.urls import path

from governance_stub import views

app_name = "governance_stub"
urlpatterns = [
    path("api/cases/", views.cases, name="cases"),
    path("api/cases/<int:pk>/", views.case_detail, name="case"),
    path("api/cases/<int:pk>/answer/", views.case_answer, name="answer"),
    path("api/faults/", views.faults, name="faults"),
]
