"""The API's views: parse with a serializer, call a service or a selector, answer. Every staff
read starts from issues.selectors (the one scoping function), every write is a service call."""

from csp.decorators import csp_replace
from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import exceptions, generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import PayloadTooLarge, exception_handler
from api.filters import MAX_ID, IssueFilterSet
from api.pagination import Pagination
from api.schema import ApiSchema
from deputies.models import Deputy, Stationing
from issues.departments import departments_in_scope
from issues.models import Action, Category, Department
from issues.permissions import Actor, scope_of
from issues.photos import MAX_BYTES, MAX_FORM_BYTES
from issues.selectors import (
    awaiting_rating,
    issue_by_tracking_code,
    issue_visible_to,
    issues_visible_to,
    public_timeline,
)
from issues.services import issue_evaluate, issue_submit, issue_transition
from liaison.errors import IssueNotFound
from liaison.failsafe import SafeJSONParser
from liaison.ratelimit import client_ip, hit
from stations.models import Station

IDEMPOTENCY_KEY_MAX = 96  # Issue.submission_key holds 100, less our "api:" prefix
# Three photos of at most 5 MB and a generous margin for the text fields and multipart framing,
# as on the HTML form (villagers.limits).
MAX_SUBMISSION_BYTES = MAX_FORM_BYTES


# --- bases ----------------------------------------------------------------------------------------


class ApiView(APIView):
    schema = ApiSchema()
    error_statuses: tuple[int, ...] = ()

    def get_exception_handler(self):
        return exception_handler


class PublicApiView(ApiView):
    """For villagers and their apps: no login, no session (hence no CSRF), rate-limited."""

    authentication_classes = []
    permission_classes = [AllowAny]


class HasStaffScope(BasePermission):
    """Logged in, and deputy, staff or admin of something: anybody else has no business here."""

    message = _("Your account has no station, region or deputy to work for.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and not scope_of(user).is_empty


class StaffApiView(ApiView):
    permission_classes = [HasStaffScope]
    error_statuses = (401, 403)


class StaffListView(StaffApiView, generics.ListAPIView):
    pagination_class = Pagination
    error_statuses = (400, 401, 403, 404)


# --- public: submission, tracking, evaluation ---------------------------------------------------------


def tracking_url(issue) -> str:
    """The absolute address of the villager's tracking page."""
    try:
        path = reverse("public:track", kwargs={"tracking_code": issue.tracking_code})
    except NoReverseMatch:  # the public pages are not mounted (or not yet built)
        path = f"/t/{issue.tracking_code}/"
    return f"{settings.PUBLIC_BASE_URL}{path}"


def public_representation(issue) -> dict:
    issue.timeline = public_timeline(issue)
    issue.awaiting_rating = awaiting_rating(issue)
    return s.PublicIssueSerializer(issue).data


def _public_issue(tracking_code: str):
    issue = issue_by_tracking_code(tracking_code)
    if issue is None:
        raise IssueNotFound()
    return issue


@extend_schema(
    tags=["public"],
    summary=_("Send a case (anonymous)"),
    request={"multipart/form-data": s.PublicSubmitSerializer, "application/json": s.PublicSubmitSerializer},
    parameters=[
        OpenApiParameter(
            "Idempotency-Key",
            {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
            OpenApiParameter.HEADER,
            description=_("Send the same key again (a retry) and get the same case back, with 200."),
        )
    ],
    responses={201: s.SubmissionReceiptSerializer, 200: s.SubmissionReceiptSerializer},
)
class PublicIssueSubmitView(PublicApiView):
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]
    error_statuses = (400, 413, 422, 429)

    def post(self, request):
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_SUBMISSION_BYTES:
            raise PayloadTooLarge()
        hit("submit_ip", client_ip(request))
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise exceptions.ValidationError({"Idempotency-Key": [_("The Idempotency-Key is too long.")]})
        body = s.PublicSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        photos = data.get("photos") or []
        if any(photo.size > MAX_BYTES for photo in photos):
            raise PayloadTooLarge(_("Each photo must be at most 5 MB."))
        hit("submit_code", data.get("deputy_token") or data.get("station_token"))
        issue = issue_submit(
            channel=data["channel"],
            content=data["content"],
            station_id=data["station_id"],
            deputy_id=data["deputy_id"],
            category_id=data.get("category"),
            submitter_name=data.get("name", ""),
            submitter_phone=data.get("phone", ""),
            sms_consent=data.get("sms_consent", False),
            photos=photos,
            idempotency_key=f"api:{key}" if key else "",
        )
        receipt = {
            "tracking_code": issue.tracking_code,
            "short_code": issue.short_code,
            "tracking_url": tracking_url(issue),
            "state": issue.state,
            "created_at": issue.created_at,
        }
        code = status.HTTP_200_OK if issue.replayed else status.HTTP_201_CREATED
        return Response(s.SubmissionReceiptSerializer(receipt).data, status=code)


@extend_schema(tags=["public"], summary=_("Follow a case by its tracking code"), responses=s.PublicIssueSerializer)
class PublicIssueDetailView(PublicApiView):
    error_statuses = (404, 429)

    def get(self, request, tracking_code: str):
        hit("page_ip", client_ip(request))
        return Response(public_representation(_public_issue(tracking_code)))


@extend_schema(
    tags=["public"],
    summary=_("Rate the reply"),
    description=_("Unsatisfied reopens the case at once for another round; one rating per round."),
    request=s.EvaluationInputSerializer,
    responses={200: s.PublicIssueSerializer},
)
class PublicEvaluationView(PublicApiView):
    error_statuses = (400, 404, 409, 429)

    def post(self, request, tracking_code: str):
        hit("evaluate_ip", client_ip(request))
        issue = _public_issue(tracking_code)
        body = s.EvaluationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issue_evaluate(
            issue_id=issue.pk, rating=body.validated_data["rating"], comment=body.validated_data.get("comment", "")
        )
        return Response(public_representation(_public_issue(tracking_code)))


# --- staff: cases ------------------------------------------------------------------------------------------


@extend_schema(tags=["cases"], summary=_("Cases you may see"))
class IssueListView(StaffListView):
    serializer_class = s.IssueListSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = IssueFilterSet
    ordering_fields = ["created_at", "updated_at", "deadline", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return issues_visible_to(self.request.user).select_related("station", "deputy", "category", "department")


# `<int:pk>` matches digits only: say so, so that clients (and fuzzers) know -1 is not an id.
ISSUE_ID = OpenApiParameter("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH)


def _visible_issue(request, pk: int):
    if pk > MAX_ID:  # no such row, and SQLite would refuse to bind the number
        raise IssueNotFound()
    return issue_visible_to(request.user, pk)


def _issue_detail(request, pk: int) -> dict:
    issue = _visible_issue(request, pk)
    return s.IssueDetailSerializer(issue, context={"request": request}).data


@extend_schema(tags=["cases"], summary=_("One case, its timeline and what you may do to it"), parameters=[ISSUE_ID])
class IssueDetailView(StaffApiView):
    error_statuses = (401, 403, 404)

    @extend_schema(responses=s.IssueDetailSerializer)
    def get(self, request, pk: int):
        return Response(_issue_detail(request, pk))


class IssueActionView(StaffApiView):
    """POST a transition; the body's fields are the service's keyword arguments."""

    lifecycle_action: str = ""
    input_serializer: type[serializers.Serializer]
    error_statuses = (400, 401, 403, 404, 409)

    def post(self, request, pk: int):
        _visible_issue(request, pk)  # outside the scope: 404 before anything else
        body = self.input_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        issue_transition(actor=Actor.of(request.user), issue_id=pk, action=self.lifecycle_action, **body.validated_data)
        return Response(_issue_detail(request, pk))


def _action_view(action: str, input_serializer, summary) -> type[IssueActionView]:
    view = type(
        f"Issue{action.capitalize()}View",
        (IssueActionView,),
        {"lifecycle_action": action, "input_serializer": input_serializer, "__doc__": str(summary)},
    )
    return extend_schema(
        tags=["cases"],
        summary=summary,
        parameters=[ISSUE_ID],
        request=input_serializer,
        responses={200: s.IssueDetailSerializer},
    )(view)


IssueAcceptView = _action_view(Action.ACCEPT, s.AcceptSerializer, _("Accept a case (受理)"))
IssueRejectView = _action_view(Action.REJECT, s.RejectSerializer, _("Reject a case, with a reason for the villager"))
IssueReviewView = _action_view(Action.REVIEW, s.ReviewSerializer, _("Review an accepted case (审核)"))
IssueAssignView = _action_view(
    Action.ASSIGN, s.AssignSerializer, _("Hand a case to a department (交办), or to another after a return (退办)")
)
IssueReplyView = _action_view(Action.REPLY, s.ReplySerializer, _("Reply to the villager (答复)"))
IssueReopenView = _action_view(Action.REOPEN, s.ReopenSerializer, _("Reopen a replied or closed case"))


# --- staff: reference lists ------------------------------------------------------------------------------


@extend_schema(tags=["reference"], summary=_("Stations you may see"))
class StationListView(StaffListView):
    serializer_class = s.StationSerializer

    def get_queryset(self):
        scope = scope_of(self.request.user)
        stations = Station.objects.select_related("region").order_by("name", "pk")
        return stations if scope.is_superuser else stations.filter(scope.station_filter())


@extend_schema(tags=["reference"], summary=_("Deputies of the stations you may see"))
class DeputyListView(StaffListView):
    serializer_class = s.DeputySerializer

    def get_queryset(self):
        scope = scope_of(self.request.user)
        deputies = Deputy.objects.order_by("name", "pk")
        if scope.is_superuser:
            return deputies
        serving = Stationing.objects.current().filter(scope.station_filter("station__")).values("deputy_id")
        return deputies.filter(Q(pk__in=serving) | Q(pk=scope.deputy_id or 0))


@extend_schema(
    tags=["reference"],
    summary=_("Departments"),
    parameters=[
        OpenApiParameter(
            "issue",
            int,
            description=_("Only the departments a case of yours may be handed to (its township's and county's)."),
        )
    ],
)
class DepartmentListView(StaffListView):
    serializer_class = s.DepartmentSerializer
    queryset = Department.objects.select_related("region").order_by("name", "pk")

    def get_queryset(self):
        issue_id = self.request.query_params.get("issue")
        if issue_id is None:
            return self.queryset.all()
        if not issue_id.isdigit() or int(issue_id) > MAX_ID:
            raise IssueNotFound()
        return departments_in_scope(issue_visible_to(self.request.user, int(issue_id))).order_by("name", "pk")


@extend_schema(tags=["reference"], summary=_("Categories"))
class CategoryListView(StaffListView):
    serializer_class = s.CategorySerializer
    queryset = Category.objects.order_by("sort_order", "name", "pk")


# --- documentation --------------------------------------------------------------------------------------


# Swagger UI starts from an inline script, has an inline <style>, sets style attributes and shows
# data: images: this page alone allows them (liaison.csp). It shows no user input.
@method_decorator(
    csp_replace(
        {
            "script-src": ["'self'", "'unsafe-inline'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:"],
        }
    ),
    name="dispatch",
)
class DocsView(SpectacularSwaggerView):
    """Swagger UI from our own static files (drf-spectacular-sidecar). Its validator badge would
    call validator.swagger.io: turned off, so the page works offline and leaks nothing."""

    url_name = "api:schema"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["settings"] = self._dump({"deepLinking": True, "validatorUrl": None})
        return response
