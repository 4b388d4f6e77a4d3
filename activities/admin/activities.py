"""The activity list and page: workflow buttons (hold, add photos, close, raise an item), the
supervision list as a print page and an XLSX file, and escalating a case to an appointment."""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import idor, services
from activities.admin.base import (
    ChildInline,
    ReadOnlyInline,
    ScopedReadAdmin,
    ServiceModelForm,
    form_errors_to_messages,
    run_and_report,
    writable_station_ids,
)
from activities.admin.proposals import escalate_proposed_view
from activities.exports import supervision_headers, supervision_xlsx
from activities.forms import (
    EscalateForm,
    HoldForm,
    PhotosForm,
    RaiseItemForm,
)
from activities.models import (
    Activity,
    ActivityItem,
    ActivityPhoto,
    EscalatedCase,
    Kind,
    Official,
    Participation,
    Status,
)
from activities.permissions import can_write_station
from activities.selectors import activities_visible_to, supervision_list
from deputies.forms import stationable_deputies
from issues import clock
from issues.permissions import Actor
from issues.selectors import issues_visible_to
from liaison.errors import IssueError
from liaison.exports import XLSX
from stations.admin_scope import editable_station_ids

_CREATE_FIELDS = [
    "station",
    "kind",
    "theme",
    "topic_source",
    "date",
    "start_time",
    "place",
    "description",
    "is_public",
    "preparatory_for",
    "meeting_type",
]
_EDITABLE = ["theme", "topic_source", "date", "start_time", "place", "description", "is_public"]


class ActivityForm(ServiceModelForm):
    class Meta:
        model = Activity
        fields = _CREATE_FIELDS

    def run_service(self):
        return run_activity_form(self)


def run_activity_form(form) -> Activity:
    data = form.cleaned_data
    if form.instance.pk is None:
        parent = data.get("preparatory_for")
        return services.activity_create(
            actor=form.actor,
            station_id=data["station"].pk,
            kind=data["kind"],
            theme=data["theme"],
            topic_source=data.get("topic_source", ""),
            date=data["date"],
            start_time=data.get("start_time"),
            place=data.get("place", ""),
            description=data.get("description", ""),
            is_public=data.get("is_public", True),
            preparatory_for_id=parent.pk if parent else None,
            meeting_type=data.get("meeting_type", ""),
        )
    changes = {name: data[name] for name in form.changed_data if name in _EDITABLE}
    if not changes:  # e.g. only the officials of a held activity were edited
        return form.instance
    return services.activity_update(actor=form.actor, activity_id=form.instance.pk, **changes)


class ParticipationInline(ChildInline):
    model = Participation
    fields = ["deputy", "attended"]
    autocomplete_fields = []
    editable_in = (Status.PLANNED,)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "deputy":  # the deputies of the user's own stations, never another's
            kwargs["queryset"] = stationable_deputies(editable_station_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OfficialInline(ChildInline):
    model = Official
    fields = ["name", "post"]
    editable_in = (Status.PLANNED, Status.HELD)


class ItemInline(ReadOnlyInline):
    model = ActivityItem
    fields = ["item_link", "department", "deadline", "kept_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("items raised")

    @admin.display(description=gettext_lazy("item"))
    def item_link(self, obj):
        url = reverse("admin:activities_activityitem_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, str(obj))


class PhotoInline(ReadOnlyInline):
    model = ActivityPhoto
    fields = ["thumbnail", "caption", "width", "height"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("photo"))
    def thumbnail(self, obj):
        url = reverse("admin:activities_activity_photo", args=[obj.activity_id, obj.pk])
        return format_html('<a href="{0}"><img src="{0}" alt="" style="max-height:90px"></a>', url)


class EscalatedCaseInline(ReadOnlyInline):
    model = EscalatedCase
    fields = ["case", "note", "escalated_at"]
    readonly_fields = fields


class PreparatoryInline(ReadOnlyInline):
    model = Activity
    fk_name = "preparatory_for"
    fields = ["meeting_type", "theme", "date", "status"]
    readonly_fields = fields
    verbose_name = gettext_lazy("preparatory meeting")
    verbose_name_plural = gettext_lazy("preparatory meetings (三会)")


@admin.register(Activity)
class ActivityAdmin(ScopedReadAdmin):
    idor_outside = staticmethod(idor.activity_outside)
    form = ActivityForm
    list_display = ["date", "kind", "theme", "station", "status", "topic_source", "meeting_type", "item_count"]
    list_display_links = ["date", "theme"]
    list_filter = ["kind", "status", "topic_source", ("station", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["theme", "place"]
    date_hierarchy = "date"
    inlines = [ParticipationInline, OfficialInline, PreparatoryInline, ItemInline, EscalatedCaseInline, PhotoInline]
    change_form_template = "admin/activities/activity/change_form.html"
    change_list_template = "admin/activities/activity/change_list.html"
    actions = ["close_selected"]

    def get_queryset(self, request):
        return (
            activities_visible_to(request.user)
            .select_related("station", "preparatory_for")
            .annotate(n_items=Count("items"))
        )

    def has_add_permission(self, request, *args):
        ids = writable_station_ids(request)
        return self.has_module_permission(request) and (ids is None or bool(ids))

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return self.has_module_permission(request) and can_write_station(request.user, obj.station_id)

    def get_fields(self, request, obj=None):
        if obj is None:
            return _CREATE_FIELDS
        return [*_CREATE_FIELDS, "status", "minutes", "attendance", "held_at", "closed_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["station", "kind", "preparatory_for", "meeting_type", "status", "minutes", "attendance"]
        fixed += ["held_at", "closed_at"]
        return fixed if obj.status == Status.PLANNED else [*_CREATE_FIELDS, *fixed[4:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = Actor.of(request.user)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from stations.models import Station

        ids = writable_station_ids(request)
        if db_field.name == "station":
            stations = Station.objects.filter(is_active=True)
            kwargs["queryset"] = stations if ids is None else stations.filter(pk__in=ids)
        elif db_field.name == "preparatory_for":
            sessions = Activity.objects.filter(kind=Kind.CONGRESS_QUESTIONING, preparatory_for__isnull=True)
            kwargs["queryset"] = sessions if ids is None else sessions.filter(station_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        created = run_activity_form(form)
        if not change:
            obj.pk = created.pk
            for field in Activity._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding = False

    @admin.display(description=gettext_lazy("items"), ordering="n_items")
    def item_count(self, obj):
        return obj.n_items

    @admin.action(description=gettext_lazy("Close the selected held activities"))
    def close_selected(self, request, queryset):
        done = 0
        for activity in queryset:
            try:
                services.activity_close(actor=Actor.of(request.user), activity_id=activity.pk)
            except IssueError as error:
                messages.error(request, f"{activity}：{error.message}")
            else:
                done += 1
        if done:
            messages.success(request, _("%(n)d activities closed.") % {"n": done})

    # --- sub-views -------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("escalate/", wrap(self.escalate_view), name="activities_escalatedcase_add"),
            path(
                "escalate/proposed/<int:case_id>/",
                wrap(partial(escalate_proposed_view, self)),
                name="activities_escalate_proposed",
            ),
            path("<int:object_id>/do/<str:action>/", wrap(self.workflow_view), name="activities_activity_do"),
            path("<int:object_id>/supervision/", wrap(self.supervision_view), name="activities_activity_supervision"),
            path("<int:object_id>/supervision.xlsx", wrap(self.xlsx_view), name="activities_activity_xlsx"),
            path("<int:object_id>/photo/<int:photo_id>/", wrap(self.photo_view), name="activities_activity_photo"),
            *super().get_urls(),
        ]

    def _visible(self, request, object_id) -> Activity:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(activities_visible_to(request.user).select_related("station"), pk=object_id)

    def _workflow_forms(self, request, activity: Activity) -> dict:
        if not can_write_station(request.user, activity.station_id):
            return {}
        forms = {}
        if activity.status == Status.PLANNED:
            forms["hold"] = HoldForm(activity=activity, auto_id="id_hold_%s")
        if activity.status != Status.CLOSED:
            forms["raise"] = RaiseItemForm(activity=activity, auto_id="id_raise_%s")
        if activity.status == Status.HELD:
            forms["close"] = None
        if activity.status != Status.PLANNED:
            forms["photos"] = PhotosForm(auto_id="id_photos_%s")
        return forms

    def change_view(self, request, object_id, form_url="", extra_context=None):
        activity = self._visible(request, object_id)
        context = {
            "workflow": self._workflow_forms(request, activity),
            "activity": activity,
            "supervision_url": reverse("admin:activities_activity_supervision", args=[activity.pk]),
            "xlsx_url": reverse("admin:activities_activity_xlsx", args=[activity.pk]),
            "has_items": activity.items.exists(),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def workflow_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        activity = self._visible(request, object_id)
        back = reverse("admin:activities_activity_change", args=[activity.pk])
        actor = Actor.of(request.user)
        if action == "close":
            return run_and_report(
                request, lambda: services.activity_close(actor=actor, activity_id=activity.pk), _("Closed."), back
            )
        forms = {
            "hold": (HoldForm, services.activity_hold),
            "raise": (RaiseItemForm, services.item_raise),
            "photos": (PhotosForm, services.activity_add_photos),
        }
        if action not in forms:
            raise Http404(_("Not found."))
        form_class, service = forms[action]
        if form_class is PhotosForm:
            form = form_class(request.POST, request.FILES)
        else:
            form = form_class(request.POST, request.FILES, activity=activity)
        if not form.is_valid():
            form_errors_to_messages(request, form)
            return HttpResponse(status=303, headers={"Location": back})
        params = form.service_params()
        return run_and_report(
            request, lambda: service(actor=actor, activity_id=activity.pk, **params), _("Saved."), back
        )

    def changelist_view(self, request, extra_context=None):
        extra = {"can_escalate": self.has_add_permission(request)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def escalate_view(self, request):
        """Station staff make a complex case the topic of an upcoming 乡长有约."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        ids = writable_station_ids(request)
        appointments = Activity.objects.filter(
            kind=Kind.TOWNSHIP_HEAD_APPOINTMENT, status=Status.PLANNED, date__gte=timezone.localdate(clock.now())
        ).select_related("station")
        if ids is not None:
            appointments = appointments.filter(station_id__in=ids)
        form = EscalateForm(request.POST or None, initial=request.GET, appointments=appointments)
        if request.method == "POST" and form.is_valid():
            case = issues_visible_to(request.user).filter(short_code=form.cleaned_data["case_code"]).first()
            if case is None:
                form.add_error("case_code", _("No such case."))
            else:
                try:
                    link = services.escalate_case_to_appointment(
                        actor=Actor.of(request.user), case_id=case.pk, **form.service_params()
                    )
                except IssueError as error:
                    field = error.field if error.field in form.fields else None
                    form.add_error(field, str(error.message))
                else:
                    messages.success(request, _("The case is now a topic of this appointment."))
                    return redirect(reverse("admin:activities_activity_change", args=[link.activity_id]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Make a case the topic of an appointment with the township head"),
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/activities/activity/escalate.html", context)

    def supervision_view(self, request, object_id):
        activity = self._visible(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Follow-up supervision list"),
            "activity": activity,
            "headers": supervision_headers(),
            "rows": supervision_list(activity),
            "officials": activity.officials.all(),
            "printed_at": timezone.localtime(clock.now()),
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/activities/activity/supervision_print.html", context)

    def xlsx_view(self, request, object_id):
        activity = self._visible(request, object_id)
        response = HttpResponse(supervision_xlsx(activity), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="supervision-{activity.pk}.xlsx"'
        return response

    def photo_view(self, request, object_id, photo_id):
        activity = self._visible(request, object_id)
        photo = get_object_or_404(ActivityPhoto, pk=photo_id, activity=activity)
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        return response
