"""The API's routes, mounted at /api/ by liaison/urls.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import extensions, figures, login, records, views

app_name = "api"

urlpatterns = [
    path("public/issues/", views.PublicIssueSubmitView.as_view(), name="public-issue-submit"),
    path("public/issues/<str:tracking_code>/", views.PublicIssueDetailView.as_view(), name="public-issue"),
    path(
        "public/issues/<str:tracking_code>/evaluation/",
        views.PublicEvaluationView.as_view(),
        name="public-issue-evaluation",
    ),
    path("auth/token/", login.TokenView.as_view(), name="token"),
    path("issues/", views.IssueListView.as_view(), name="issue-list"),
    path("issues/<int:pk>/", views.IssueDetailView.as_view(), name="issue-detail"),
    path("issues/<int:pk>/accept/", views.IssueAcceptView.as_view(), name="issue-accept"),
    path("issues/<int:pk>/reject/", views.IssueRejectView.as_view(), name="issue-reject"),
    path("issues/<int:pk>/review/", views.IssueReviewView.as_view(), name="issue-review"),
    path("issues/<int:pk>/assign/", views.IssueAssignView.as_view(), name="issue-assign"),
    path("issues/<int:pk>/reply/", views.IssueReplyView.as_view(), name="issue-reply"),
    path("issues/<int:pk>/reopen/", views.IssueReopenView.as_view(), name="issue-reopen"),
    path("extension-requests/", extensions.ExtensionRequestListView.as_view(), name="extension-list"),
    path("extension-requests/<int:pk>/approve/", extensions.ExtensionApproveView.as_view(), name="extension-approve"),
    path("extension-requests/<int:pk>/refuse/", extensions.ExtensionRefuseView.as_view(), name="extension-refuse"),
    path("stations/", views.StationListView.as_view(), name="station-list"),
    path("deputies/", views.DeputyListView.as_view(), name="deputy-list"),
    path("deputies/<int:pk>/record/", records.DeputyRecordView.as_view(), name="deputy-record"),
    path("departments/", views.DepartmentListView.as_view(), name="department-list"),
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
    path("stats/", figures.StatsView.as_view(), name="stats"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
]
