"""Reply templates in the admin: station staff keep their stations' templates, everyone who
handles cases reads those of their stations and the shared ones (no station), superusers keep
the shared ones. Every save goes through issues.replytemplates.reply_template_save."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from issues.models import ReplyTemplate
from issues.permissions import scope_of
from issues.replytemplates import (
    PLACEHOLDERS,
    may_edit,
    placeholders_in,
    render,
    reply_template_save,
    templates_for,
    templates_visible_to,
)
from liaison.errors import IssueError
from stations.models import Station


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "station", "category", "is_active"]
    list_filter = ["is_active", ("category", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["station", "category"]
    search_fields = ["name", "text"]
    fields = ["name", "station", "category", "text", "is_active"]

    def get_queryset(self, request):
        return templates_visible_to(request.user).select_related(*self.list_select_related)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))

    def has_add_permission(self, request):
        current = scope_of(request.user)
        return super().has_add_permission(request) and (current.is_superuser or bool(current.staff_station_ids))

    def has_change_permission(self, request, obj=None):
        ok = super().has_change_permission(request, obj)
        return ok and (obj is None or may_edit(request.user, obj.station_id))

    def has_delete_permission(self, request, obj=None):
        ok = super().has_delete_permission(request, obj)
        return ok and (obj is None or may_edit(request.user, obj.station_id))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "station":
            current = scope_of(request.user)
            stations = Station.objects.filter(is_active=True)
            if not current.is_superuser:
                kwargs["queryset"] = stations.filter(pk__in=current.staff_station_ids)
                kwargs["required"] = True  # a shared template is the superusers' to keep
            else:
                kwargs["queryset"] = stations
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        known = "、".join(f"{{{name}}} {placeholder.label}" for name, placeholder in PLACEHOLDERS.items())
        if "text" in form.base_fields:
            form.base_fields["text"].help_text = _("Placeholders: %(known)s.") % {"known": known}
            base_clean = form.clean

            def clean(self):
                data = base_clean(self)
                try:
                    placeholders_in(data.get("text") or "")
                except IssueError as error:
                    raise ValidationError({"text": str(error.message)}) from None
                return data

            form.clean = clean
        return form

    def save_model(self, request, obj, form, change):
        reply_template_save(user=request.user, template=obj)

    def idor_outside(self, world, role):
        """For the generated IDOR test: a template of the station on the other side."""
        on_railway_side = role in ("deputy_a", "station_staff", "township_staff", "county_admin")
        station = world.xiushan_station if on_railway_side else world.railway_point
        marker = f"{station.name}专用答复模板"
        template = ReplyTemplate.objects.create(name=marker, station=station, text=f"{marker}：已处理。")
        return template, marker


def reply_template_choices(request, issue, case_url: str) -> tuple[list[dict], str | None]:
    """The templates offered on this case's reply form (each a link that fills the form), and
    the filled text of the one chosen (?reply_template=<id>), if it is one of them."""
    offered = list(templates_for(request.user, issue))
    chosen = request.GET.get("reply_template", "")
    filled = None
    rows = []
    for template in offered:
        selected = chosen == str(template.pk)
        if selected:
            filled = render(template, issue)
        url = f"{case_url}?reply_template={template.pk}#actions"
        rows.append({"name": template.name, "url": url, "selected": selected})
    return rows, filled
