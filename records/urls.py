from django.urls import path

from records import report_views, term_views, views

app_name = "records"
urlpatterns = [
    path("", views.deputy_list, name="deputies"),
    path("<int:pk>/", views.deputy_record, name="deputy"),
    path("<int:pk>/end-term/", term_views.end_term, name="end-term"),
    path("reports/", report_views.request_report, name="request-report"),
    path("reports/<int:pk>/", report_views.report_status, name="report"),
    path("reports/<int:pk>/download/", report_views.report_download, name="report-download"),
]
