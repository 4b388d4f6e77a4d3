from django.urls import path

from governance_stub import views

app_name = "governance_stub"
urlpatterns = [
    path("api/cases/", views.cases, name="cases"),
    path("api/cases/<int:pk>/", views.case_detail, name="case"),
    path("api/cases/<int:pk>/answer/", views.case_answer, name="answer"),
    path("api/cases/<int:pk>/return/", views.case_return, name="return"),
    path("api/cases/<int:pk>/extension/", views.case_extension, name="extension"),
    path("api/cases/<int:pk>/progress/", views.case_progress, name="progress"),
    path("api/extensions/<str:request_id>/decision/", views.extension_decision, name="extension-decision"),
    path("api/faults/", views.faults, name="faults"),
]
