"""Duty-roster rules in the admin: staff add a rule, generate its slots and swap two slots."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import idor, roster
from activities.admin.base import ScopedReadAdmin, ServiceModelForm, may_write_somewhere, writable_station_ids
from activities.forms import SwapForm
from activities.models import DutyRule
from issues import clock
from issues.permissions import Actor, scope_of
from liaison.errors import IssueError

_FIELDS = ["station", "day_of_month", "valid_from", "valid_until", "move_to_working_day", "start_time", "end_time"]


class DutyRuleForm(ServiceModelForm):
    class Meta:
        model = DutyRule
        fields = [*_FIELDS, "note"]

    def run_service(self):
        return create_rule(self)


def create_rule(form) -> DutyRule:
    data = form.cleaned_data
    return roster.duty_rule_create(
        actor=form.actor,
        station_id=data["station"].pk,
        day_of_month=data["day_of_month"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        move_to_working_day=data.get("move_to_working_day", False),
        start_time=data.get("start_time"),
        end_time=data.get("end_time"),
        note=data.get("note", ""),
    )


@admin.register(DutyRule)
class DutyRuleAdmin(ScopedReadAdmin):
    idor_outside = staticmethod(idor.rule_outside)
    form = DutyRuleForm
    list_display = ["station", "day_of_month", "valid_from", "valid_until", "move_to_working_day", "note"]
    list_select_related = ["station"]
    actions = ["generate_slots"]
    change_list_template = "admin/activities/dutyrule/change_list.html"

    def get_queryset(self, request):
        scope = scope_of(request.user)
        rules = DutyRule.objects.all()
        return rules if scope.is_superuser else rules.filter(scope.station_filter("station__"))

    def has_add_permission(self, request, *args):
        return may_write_somewhere(request)

    def get_readonly_fields(self, request, obj=None):
        return [*_FIELDS, "note"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = Actor.of(request.user)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from stations.models import Station

        if db_field.name == "station":
            ids = writable_station_ids(request)
            stations = Station.objects.filter(is_active=True)
            kwargs["queryset"] = stations if ids is None else stations.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        created = create_rule(form)
        obj.pk = created.pk
        obj._state.adding = False

    def changelist_view(self, request, extra_context=None):
        extra = {"can_swap": may_write_somewhere(request), "swap_url": reverse("admin:activities_dutyslotswap_add")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @admin.action(description=gettext_lazy("Generate the duty slots of the selected rules"))
    def generate_slots(self, request, queryset):
        for rule in queryset:
            try:
                slots = roster.duty_rule_generate(actor=Actor.of(request.user), rule_id=rule.pk)
            except IssueError as error:
                messages.error(request, f"{rule}：{error.message}")
            else:
                messages.success(request, _("%(rule)s: %(n)d duty slots created.") % {"rule": rule, "n": len(slots)})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("swap/", wrap(self.swap_view), name="activities_dutyslotswap_add"), *super().get_urls()]

    def swap_view(self, request):
        from stations.models import DutySlot

        if not may_write_somewhere(request):
            raise PermissionDenied
        ids = writable_station_ids(request)
        slots = DutySlot.objects.filter(date__gte=timezone.localdate(clock.now())).select_related("station", "deputy")
        if ids is not None:
            slots = slots.filter(station_id__in=ids)
        form = SwapForm(request.POST or None, slots=slots)
        if request.method == "POST" and form.is_valid():
            try:
                roster.duty_slot_swap(actor=Actor.of(request.user), **form.service_params())
            except IssueError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("The two duty slots were swapped."))
                return redirect(reverse("admin:activities_dutyrule_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Swap two duty slots"),
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/activities/dutyrule/swap.html", context)
