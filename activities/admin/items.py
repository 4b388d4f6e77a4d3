"""The item page with its promise, rating, kept and return-visit forms, and the read-only lists
of ratings and return visits."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import idor, services
from activities.admin.base import (
    ReadOnlyInline,
    ScopedReadAdmin,
    form_errors_to_messages,
    run_and_report,
)
from activities.forms import (
    KeptForm,
    PromiseForm,
    RateForm,
    ReturnVisitForm,
)
from activities.models import (
    ActivityItem,
    ItemRating,
    ReturnVisit,
)
from activities.permissions import can_write_station
from activities.selectors import activities_visible_to, promise_status
from issues import clock
from issues.permissions import Actor, scope_of


class RatingInline(ReadOnlyInline):
    model = ItemRating
    fields = ["round", "deputy", "rating", "comment", "created_at"]
    readonly_fields = fields


class ReturnVisitInline(ReadOnlyInline):
    model = ReturnVisit
    fields = ["date", "note", "by"]
    readonly_fields = fields


_ITEM_FORMS = {
    "promise": (PromiseForm, services.promise_record, False),
    "rate": (RateForm, services.item_rate, True),
    "kept": (KeptForm, services.promise_mark_kept, False),
    "visit": (ReturnVisitForm, services.return_visit_record, False),
}


@admin.register(ActivityItem)
class ActivityItemAdmin(ScopedReadAdmin):
    idor_outside = staticmethod(idor.item_outside)
    list_display = ["title", "activity", "number", "department", "deadline", "kept_at", "promise_label", "case"]
    list_filter = [("activity__station", admin.RelatedOnlyFieldListFilter), "activity__kind"]
    search_fields = ["title", "case__short_code"]
    list_select_related = ["activity", "department", "case"]
    fields = [
        "activity",
        "number",
        "title",
        "raised_by",
        "case",
        "measure",
        "department",
        "first_deadline",
        "deadline",
        "promised_at",
        "kept_at",
    ]
    readonly_fields = fields
    inlines = [RatingInline, ReturnVisitInline]
    change_form_template = "admin/activities/activityitem/change_form.html"

    def get_queryset(self, request):
        visible = activities_visible_to(request.user)
        return ActivityItem.objects.filter(activity__in=visible).select_related("activity", "department", "case")

    @admin.display(description=gettext_lazy("promise"))
    def promise_label(self, obj):
        from activities.selectors import PromiseStatus

        return PromiseStatus.label(promise_status(obj, timezone.localdate(clock.now())))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/do/<str:action>/", wrap(self.item_action_view), name="activities_activityitem_do"),
            *super().get_urls(),
        ]

    def _item_forms(self, request, item: ActivityItem) -> dict:
        scope = scope_of(request.user)
        writer = can_write_station(request.user, item.activity.station_id)
        took_part = scope.deputy_id is not None and item.activity.participations.filter(
            deputy_id=scope.deputy_id, attended=True
        )
        forms = {}
        if writer and not item.measure:
            forms["promise"] = PromiseForm(auto_id="id_promise_%s")
        if item.measure and (writer or took_part):
            rate = RateForm(activity=item.activity, auto_id="id_rate_%s")
            if not writer:
                del rate.fields["deputy"]
            forms["rate"] = rate
        if writer and item.measure and item.kept_at is None:
            forms["kept"] = KeptForm(auto_id="id_kept_%s")
        if writer:
            forms["visit"] = ReturnVisitForm(auto_id="id_visit_%s")
        return forms

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = get_object_or_404(self.get_queryset(request), pk=object_id)
        forms = self._item_forms(request, item)
        context = {
            "item_forms": [
                (name, _ITEM_FORMS[name][0], form, reverse("admin:activities_activityitem_do", args=[item.pk, name]))
                for name, form in forms.items()
            ],
            "case_url": reverse("admin:issues_issue_change", args=[item.case_id]),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def item_action_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        item = get_object_or_404(self.get_queryset(request), pk=object_id)
        if action not in _ITEM_FORMS:
            raise Http404(_("Not found."))
        form_class, service, needs_activity = _ITEM_FORMS[action]
        form = form_class(request.POST, activity=item.activity) if needs_activity else form_class(request.POST)
        back = reverse("admin:activities_activityitem_change", args=[item.pk])
        if not form.is_valid():
            form_errors_to_messages(request, form)
            return HttpResponse(status=303, headers={"Location": back})
        params = form.service_params()
        actor = Actor.of(request.user)
        return run_and_report(request, lambda: service(actor=actor, item_id=item.pk, **params), _("Saved."), back)


@admin.register(ItemRating)
class ItemRatingAdmin(ScopedReadAdmin):
    idor_outside = staticmethod(idor.rating_outside)
    list_display = ["item", "round", "deputy", "rating", "created_at"]
    list_filter = ["rating"]
    list_select_related = ["item", "deputy"]

    def get_queryset(self, request):
        return ItemRating.objects.filter(item__activity__in=activities_visible_to(request.user))


@admin.register(ReturnVisit)
class ReturnVisitAdmin(ScopedReadAdmin):
    idor_outside = staticmethod(idor.return_visit_outside)
    list_display = ["item", "date", "note", "by"]
    list_select_related = ["item", "by"]

    def get_queryset(self, request):
        return ReturnVisit.objects.filter(item__activity__in=activities_visible_to(request.user))
