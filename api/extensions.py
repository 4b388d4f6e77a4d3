"""Departments' extension requests (延期申请) in the API: the list of those on the cases you may
see, and approve / refuse, each a call of issues.services.extension_decide (the platform is told
by the portal through its notice outbox)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.filters import MAX_ID
from api.views import StaffApiView, StaffListView
from issues.models import ExtensionRequest
from issues.permissions import Actor
from issues.selectors import issues_visible_to
from issues.services import extension_decide
from issues.validators import REASON_MAX
from liaison.errors import IssueNotFound

REQUEST_ID = OpenApiParameter("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH)


class ExtensionRequestSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="issue_id", help_text=_("The case's id."))
    case_code = serializers.CharField(source="issue.short_code")
    current_deadline = serializers.DateTimeField(source="issue.deadline", allow_null=True)
    status = serializers.ChoiceField(choices=ExtensionRequest.Status.choices)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "case",
            "case_code",
            "round",
            "requested_deadline",
            "current_deadline",
            "reason",
            "status",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX,
        help_text=_("To the department; required when refusing."),
    )


def visible_requests(user):
    return ExtensionRequest.objects.filter(issue__in=issues_visible_to(user)).select_related("issue")


@extend_schema(
    tags=["cases"],
    summary=_("Extension requests of departments on the cases you may see"),
    parameters=[
        OpenApiParameter(
            "status", str, enum=ExtensionRequest.Status.values, description=_("Only requests in this status.")
        )
    ],
)
class ExtensionRequestListView(StaffListView):
    serializer_class = ExtensionRequestSerializer

    def get_queryset(self):
        requests = visible_requests(self.request.user).order_by("-created_at", "-pk")
        status = self.request.query_params.get("status")
        if status in ExtensionRequest.Status.values:
            requests = requests.filter(status=status)
        return requests


class ExtensionDecisionView(StaffApiView):
    approve = True
    error_statuses = (400, 401, 403, 404, 409)

    def post(self, request, pk: int):
        if pk > MAX_ID or not visible_requests(request.user).filter(pk=pk).exists():
            raise IssueNotFound()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = extension_decide(
            actor=Actor.of(request.user),
            extension_id=pk,
            approve=self.approve,
            note=body.validated_data.get("note", ""),
        )
        decided = visible_requests(request.user).get(pk=decided.pk)
        return Response(ExtensionRequestSerializer(decided).data)


def _decision_view(approve: bool, summary) -> type[ExtensionDecisionView]:
    view = type(
        "ExtensionApproveView" if approve else "ExtensionRefuseView",
        (ExtensionDecisionView,),
        {"approve": approve, "__doc__": str(summary)},
    )
    return extend_schema(
        tags=["cases"],
        summary=summary,
        parameters=[REQUEST_ID],
        request=DecisionSerializer,
        responses={200: ExtensionRequestSerializer},
    )(view)


ExtensionApproveView = _decision_view(True, _("Approve a department's extension request: the deadline moves"))
ExtensionRefuseView = _decision_view(False, _("Refuse a department's extension request, with a reason"))
