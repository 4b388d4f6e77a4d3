"""The case list and the case page. Every row comes from issues_visible_to(user); every change
goes through issues.services; the buttons are exactly permissions.actions_available."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues import clock
from issues.admin.bulk import BulkActionsMixin
from issues.admin.filters import DeadlineFilter
from issues.admin.forms import ACTION_FORMS, EXTEND, RecordForm
from issues.admin.forwarding import forwarding_rows, may_retry, retry_service
from issues.admin.listing import ScaleListMixin, ScopedDeputyFilter, ScopedStationFilter
from issues.admin.merging import MergeMixin, merge_context, merge_urls, with_merges
from issues.admin.metoo import MeTooAdminMixin
from issues.admin.queue import TRIAGE_KEYS, CaseListMixin, QueueChangeList, QueueFilter, escalation_proposal, queue_tabs
from issues.admin.replytemplates import reply_template_choices
from issues.admin.sms import sms_rows
from issues.admin.voice import voice_context
from issues.deadlines import deadline_label
from issues.models import OPEN_STATES, Action, Channel, Issue
from issues.permissions import Actor, actions_available, allowed_roles, may_reveal_contact, scope_of
from issues.queue import end_of_today
from issues.selectors import issue_visible_to, issues_visible_to, staff_timeline
from issues.services import Contact, issue_extend_deadline, issue_reveal_contact, issue_submit, issue_transition
from issues.services.voice import voice_transcribe
from issues.similar import similar_cases
from issues.timeline import chain_status
from issues.validators import mask_name, mask_phone
from liaison.errors import IssueError, IssueNotFound
from stations.admin_scope import ScopedAdmin

# A service error's field -> the field of RecordForm that shows it.
_RECORD_FIELDS = {
    "station": "station",
    "deputy": "station",
    "category": "category",
    "content": "content",
    "name": "submitter_name",
    "phone": "submitter_phone",
    "photos": "photos",
}


def staff_photo_url(attachment_id: int) -> str | None:
    try:
        return reverse("public:staff-photo", args=[attachment_id])
    except NoReverseMatch:
        return None


def _short_time(value) -> str:
    # Deadlines end a working day (23:59:59): in the list the date says it, the time is noise.
    local = timezone.localtime(value) if value else None
    return "" if local is None else date_format(local, "m-d" if (local.hour, local.minute) == (23, 59) else "m-d H:i")


@admin.register(Issue)
class IssueAdmin(CaseListMixin, MeTooAdminMixin, ScaleListMixin, MergeMixin, BulkActionsMixin, ScopedAdmin):
    list_display = [
        "code",
        "excerpt",
        "state_badge",
        "deadline_display",
        "seconded",
        "age",
        "station",
        "deputy",
        "category",
        "channel",
        "submitter",
    ]
    list_display_links = ["code", "excerpt"]
    list_filter = [
        QueueFilter,
        "state",
        DeadlineFilter,
        ("station", ScopedStationFilter),
        ("deputy", ScopedDeputyFilter),
        ("category", admin.RelatedFieldListFilter),
        "channel",
        "created_at",
    ]
    search_fields = ["short_code", "=tracking_code", "content"]
    search_help_text = gettext_lazy("Search by case code, tracking code or words of the content.")
    list_select_related = ["station", "deputy", "category"]
    ordering = [F("deadline").asc(nulls_last=True), "-created_at"]
    list_per_page = 25
    show_facets = admin.ShowFacets.ALLOW  # counts on request: see QueueChangeList
    actions = ["accept_selected", "assign_selected", "merge_selected"]
    add_form_template = "admin/issues/issue/record.html"

    # --- scope and permissions ------------------------------------------------------------------

    def get_queryset(self, request):
        return self.with_seconded(
            with_merges(issues_visible_to(request.user).select_related(*self.list_select_related))
        )

    def has_change_permission(self, request, obj=None):
        return False  # state, timeline and codes change only through the actions below

    def has_delete_permission(self, request, obj=None):
        return False  # nobody deletes a villager's case

    def has_add_permission(self, request):
        if not hasattr(request, "_liaison_may_record"):  # asked twice by each list page
            request._liaison_may_record = (
                super().has_add_permission(request) and self.recordable_stations(request).exists()
            )
        return request._liaison_may_record

    def recordable_stations(self, request):
        from stations.models import Station

        current = scope_of(request.user)
        stations = Station.objects.filter(is_active=True).order_by("name")
        if current.is_superuser:
            return stations
        return stations.filter(pk__in=current.deputy_station_ids | current.staff_station_ids)

    # --- list columns ---------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("content"))
    def excerpt(self, obj):
        # Two lines of it, clamped by the stylesheet: enough to decide what the case is about.
        text = obj.content if len(obj.content) <= 120 else obj.content[:120] + "…"
        return format_html('<span class="liaison-excerpt">{}</span>', text)

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_badge(self, obj):
        label = obj.get_state_display()
        return format_html('<span class="liaison-state liaison-state--{}">{}</span>', obj.state, label)

    @admin.display(description=gettext_lazy("current deadline"), ordering=F("deadline").asc(nulls_last=True))
    def deadline_display(self, obj):
        # Only open cases: a replied case's deadline is the rating window, which the station does
        # not owe anything against (the case page shows it, labelled as such).
        if obj.deadline is None or obj.state not in OPEN_STATES:
            return "—"
        kind = deadline_label(obj.state)
        flag = '<span class="{}">{} <span class="liaison-when">{}</span></span> <span class="liaison-muted">{}</span>'
        if obj.is_overdue:
            return format_html(flag, "liaison-overdue", f"⚠ {_('overdue')}", _short_time(obj.deadline), kind)
        if obj.deadline < end_of_today(clock.now()):
            return format_html(flag, "liaison-due-today", _("due today"), _short_time(obj.deadline), kind)
        return format_html('{} <span class="liaison-muted">{}</span>', _short_time(obj.deadline), kind)

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def changelist_view(self, request, extra_context=None):
        tabs = queue_tabs(request, reverse("admin:issues_issue_changelist", current_app=self.admin_site.name))
        return super().changelist_view(request, {**(extra_context or {}), "queue_tabs": tabs})

    @admin.display(description=gettext_lazy("age"), ordering="-created_at")
    def age(self, obj):
        return timesince(obj.created_at, depth=1)

    @admin.display(description=gettext_lazy("submitter"))
    def submitter(self, obj):
        # Masked for everyone, handlers too: seeing them in full is the recorded reveal on the
        # case page, as the villager's form promises.
        return " ".join(part for part in (mask_name(obj.submitter_name), mask_phone(obj.submitter_phone)) if part)

    # --- the case page and its sub-views ----------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/do/<str:action>/", wrap(self.action_view), name=f"{prefix}_action"),
            path("<path:object_id>/reveal-contact/", wrap(self.reveal_contact_view), name=f"{prefix}_reveal_contact"),
            path("<path:object_id>/transcript/", wrap(self.transcript_view), name=f"{prefix}_transcript"),
            path(
                "<path:object_id>/forwarding/<int:forwarding_id>/retry/",
                wrap(self.retry_forwarding_view),
                name=f"{prefix}_retry_forwarding",
            ),
            *merge_urls(self),
            *self.metoo_urls(prefix),
            *super().get_urls(),
        ]

    def _visible(self, request, object_id) -> Issue:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return issue_visible_to(request.user, object_id)
        except IssueNotFound:
            raise Http404(_("Not found.")) from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return self._render_case(request, self._visible(request, object_id))

    def reveal_contact_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = self._visible(request, object_id)
        try:
            contact = issue_reveal_contact(actor=Actor.of(request.user), issue_id=issue.pk)
        except IssueNotFound:
            raise Http404(_("Not found.")) from None
        except IssueError as error:
            messages.error(request, error.message)
            return redirect(self._case_url(issue))
        response = self._render_case(request, issue, revealed=contact)
        response["Cache-Control"] = "no-store"
        return response

    def transcript_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = self._visible(request, object_id)
        try:
            voice_transcribe(actor=Actor.of(request.user), issue_id=issue.pk, text=request.POST.get("transcript", ""))
        except IssueNotFound:
            raise Http404(_("Not found.")) from None
        except IssueError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The transcript was saved."))
        return redirect(self._case_url(issue) + "#voice")

    def retry_forwarding_view(self, request, object_id, forwarding_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = self._visible(request, object_id)
        rows = forwarding_rows(issue) or []
        service = retry_service()
        if service is None or forwarding_id not in {row.pk for row in rows}:
            raise Http404(_("Not found."))
        try:
            service(actor=Actor.of(request.user), forwarding_id=forwarding_id)
        except IssueError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Forwarding will be retried now."))
        return redirect(self._case_url(issue))

    def action_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = self._visible(request, object_id)
        if action not in ACTION_FORMS:
            raise Http404(_("Not found."))
        form_class, label, _style = ACTION_FORMS[action]
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self._case_url(issue))
        actor = Actor.of(request.user)
        try:
            if action == EXTEND:
                issue_extend_deadline(actor=actor, issue_id=issue.pk, **form.service_params())
            else:
                issue_transition(actor=actor, issue_id=issue.pk, action=action, **form.service_params())
        except IssueNotFound:
            raise Http404(_("Not found.")) from None
        except IssueError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(code)s: %(action)s — done.") % {"code": issue.short_code, "action": label})
        return redirect(self._case_url(issue))

    def _case_url(self, issue: Issue) -> str:
        return reverse("admin:issues_issue_change", args=[issue.pk], current_app=self.admin_site.name)

    def _buttons(self, request, issue: Issue, filled_reply: str | None = None) -> list[dict]:
        roles = scope_of(request.user).roles_for(issue)
        available = set(actions_available(request.user, issue))
        if issue.state in OPEN_STATES and roles & allowed_roles(Action.EXTEND, issue.state):
            available.add(EXTEND)
        extra = {Action.ASSIGN: {"issue": issue}, Action.REPLY: {"initial": {"text": filled_reply or ""}}}
        return [
            {
                "action": action,
                "label": label,
                "style": style,
                "form": form_class(auto_id=f"id_{action}_%s", **extra.get(action, {})),
                "open": action == Action.REPLY and filled_reply is not None,
                "url": reverse("admin:issues_issue_action", args=[issue.pk, action], current_app=self.admin_site.name),
                "one_tap": not form_class.base_fields,
                "key": TRIAGE_KEYS.get(action, ""),
            }
            for action, (form_class, label, style) in ACTION_FORMS.items()
            if action in available
        ]

    def _render_case(self, request, issue: Issue, revealed: Contact | None = None):
        has_contact = bool(issue.submitter_name or issue.submitter_phone)
        photos = [{"attachment": a, "url": staff_photo_url(a.pk)} for a in issue.attachments.all()]
        forwarding = forwarding_rows(issue)
        reply_templates, filled_reply = reply_template_choices(request, issue, self._case_url(issue))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Case %(code)s") % {"code": issue.short_code},
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": issue,
            "issue": issue,
            "has_view_permission": True,
            "masked_name": mask_name(issue.submitter_name),
            "masked_phone": mask_phone(issue.submitter_phone),
            "revealed": revealed,
            "can_reveal": has_contact and revealed is None and may_reveal_contact(request.user, issue),
            "reveal_url": reverse(
                "admin:issues_issue_reveal_contact", args=[issue.pk], current_app=self.admin_site.name
            ),
            "deadline_label": deadline_label(issue.state),
            "buttons": self._buttons(request, issue, filled_reply),
            "reply_templates": reply_templates,
            "timeline": staff_timeline(issue),
            "timeline_status": chain_status(issue),
            "photos": photos,
            **voice_context(request.user, issue),
            "forwarding": forwarding,
            "can_retry": bool(forwarding) and may_retry(request.user, issue),
            "similar": similar_cases(request.user, issue) if issue.state in OPEN_STATES else [],
            "proposal": escalation_proposal(request, issue),
            "texts": sms_rows(issue),
            **merge_context(request.user, issue, admin_name=self.admin_site.name),
            **self.metoo_context(request, issue),
        }
        return TemplateResponse(request, "admin/issues/issue/case.html", context)

    # --- record a voter's problem -----------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        stations = self.recordable_stations(request)
        form = RecordForm(request.POST or None, request.FILES or None, stations=stations)
        if request.method == "POST" and form.is_valid():
            issue = self._record(request, form)
            if issue is not None:
                return redirect(self._case_url(issue))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a voter's problem"),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": self.has_view_permission(request),
            "form": form,
        }
        return TemplateResponse(request, self.add_form_template, context)

    def _record(self, request, form) -> Issue | None:
        current = scope_of(request.user)
        station = form.cleaned_data["station"]
        # A deputy serving this station records a visit; everyone else a walk-in at the station.
        as_deputy = current.deputy_id is not None and station.pk in current.deputy_station_ids
        data = form.cleaned_data
        try:
            issue = issue_submit(
                actor=Actor.of(request.user),
                channel=Channel.DEPUTY_VISIT if as_deputy else Channel.WALK_IN,
                station_id=station.pk,
                deputy_id=current.deputy_id if as_deputy else None,
                category_id=data["category"].pk if data["category"] else None,
                content=data["content"],
                submitter_name=data["submitter_name"],
                submitter_phone=data["submitter_phone"],
                photos=data["photos"],
                idempotency_key=f"admin-record:{request.user.pk}:{data['submission_key']}",
            )
        except IssueError as error:
            field = _RECORD_FIELDS.get(error.field or "")
            form.add_error(field, str(error.message))
            return None
        if getattr(issue, "replayed", False):
            messages.info(request, _("This problem was already recorded as %(code)s.") % {"code": issue.short_code})
        else:
            messages.success(request, _("Recorded as %(code)s.") % {"code": issue.short_code})
        return issue
