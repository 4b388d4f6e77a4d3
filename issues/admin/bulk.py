"""Bulk accept and assign on the case list: one service call per case, then one message saying
how many succeeded and, grouped by reason, why the others did not."""

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from issues.admin.forms import BulkAssignForm
from issues.models import Action
from issues.permissions import Actor, scope_of
from issues.services import issue_transition
from liaison.errors import IssueError


def _selected_ids(request) -> list[int]:
    ids = set()
    for raw in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
        if raw.isdigit():
            ids.add(int(raw))
    return sorted(ids)


class BulkActionsMixin:
    """Needs `get_queryset` limited to issues_visible_to(user): a selected case outside it is
    reported as "not found", exactly like one that does not exist."""

    def has_triage_permission(self, request) -> bool:
        current = scope_of(request.user)
        return current.is_superuser or current.deputy_id is not None or bool(current.staff_station_ids)

    def has_assign_permission(self, request) -> bool:
        current = scope_of(request.user)
        return current.is_superuser or bool(current.staff_station_ids)

    def run_bulk(self, request, queryset, action: str, done_message, **params) -> None:
        select_across = request.POST.get("select_across") == "1"
        selected = _selected_ids(request)
        visible = list(queryset.values_list("pk", "short_code"))
        missing = 0 if select_across else len(set(selected) - {pk for pk, _code in visible})
        actor = Actor.of(request.user)
        done = 0
        failures: Counter[str] = Counter()
        for pk, _code in visible:
            try:
                issue_transition(actor=actor, issue_id=pk, action=action, **params)
            except IssueError as error:
                failures[str(error.message)] += 1
            else:
                done += 1
        if done:
            messages.success(request, done_message(done))
        for reason, count in failures.items():
            messages.warning(
                request,
                ngettext(
                    "%(count)d case was not changed: %(reason)s",
                    "%(count)d cases were not changed: %(reason)s",
                    count,
                )
                % {"count": count, "reason": reason},
            )
        if missing:
            messages.warning(
                request,
                ngettext("%(count)d selected case was not found.", "%(count)d selected cases were not found.", missing)
                % {"count": missing},
            )

    @admin.action(description=gettext_lazy("Accept the selected cases"), permissions=["triage"])
    def accept_selected(self, request, queryset):
        self.run_bulk(
            request,
            queryset,
            Action.ACCEPT,
            lambda n: ngettext("%(count)d case accepted.", "%(count)d cases accepted.", n) % {"count": n},
        )

    @admin.action(description=gettext_lazy("Assign the selected cases to a department"), permissions=["assign"])
    def assign_selected(self, request, queryset):
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            department = form.cleaned_data["department"]
            self.run_bulk(
                request,
                queryset,
                Action.ASSIGN,
                lambda n: (
                    ngettext(
                        "%(count)d case assigned to %(department)s.", "%(count)d cases assigned to %(department)s.", n
                    )
                    % {"count": n, "department": department.name}
                ),
                department_id=department.pk,
                note=form.cleaned_data["note"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assign cases to a department"),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": True,
            "cases": queryset.select_related("station")[:200],
            "selected_ids": _selected_ids(request),
            "select_across": request.POST.get("select_across") == "1",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "form": form,
        }
        return TemplateResponse(request, "admin/issues/issue/bulk_assign.html", context)
