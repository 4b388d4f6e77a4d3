"""Merging duplicates in the admin: "merge into this case" on each similar case of the case page,
"undo the merge" on a merged case, and a bulk action on the case list that merges the ticked
cases into the one chosen as the main case. Every write is issues.services.merging."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from issues.models import OPEN_STATES, Action, Issue
from issues.permissions import Actor, allowed_roles, scope_of
from issues.services.merging import issue_merge, issue_unmerge
from liaison.errors import IssueError, IssueNotFound


def may_merge(user, issue: Issue) -> bool:
    """Whether this user may merge cases into `issue` (or undo a merge into it) now."""
    return (
        issue.state in OPEN_STATES
        and not issue.merged_into_id
        and bool(scope_of(user).roles_for(issue) & allowed_roles(Action.MERGE, issue.state))
    )


def merge_context(user, issue: Issue, *, admin_name: str) -> dict:
    """What the case page shows of merging: its main case, or the cases merged into it, and
    whether the merge buttons are offered."""
    visible = scope_of(user).can_see
    merged = [case for case in issue.merged_cases.order_by("pk") if visible(case)]
    main = issue.merged_into if issue.merged_into_id else None
    undo_open = (main or issue).first_assigned_at is None and (main or issue).state in OPEN_STATES
    return {
        "merge_allowed": may_merge(user, issue),
        "merge_url": reverse("admin:issues_issue_merge", args=[issue.pk], current_app=admin_name),
        "merged_main": main if main and visible(main) else None,
        "merged_cases": merged,
        "unmerge_allowed": undo_open and may_merge(user, main or issue),
    }


def with_merges(cases: QuerySet[Issue]) -> QuerySet[Issue]:
    """The case list's rows with, for each, how many duplicates were merged into it and the code
    of the main case it is merged into (two subqueries, on the page's rows only). The main code
    is a subquery, not a join: a join stays in the page's id query (issues.pagination), where
    it keeps PostgreSQL from reading a region's cases off the list-order index alone."""
    merged = Issue.objects.filter(merged_into=OuterRef("pk")).order_by().values("merged_into")
    main = Issue.objects.filter(pk=OuterRef("merged_into_id")).values("short_code")[:1]
    return cases.annotate(
        merged_count=Subquery(merged.annotate(n=Count("pk")).values("n")[:1]),
        main_code=Subquery(main),
    )


def merge_urls(model_admin) -> list:
    wrap = model_admin.admin_site.admin_view
    return [
        path("<path:object_id>/merge/", wrap(model_admin.merge_view), name="issues_issue_merge"),
        path("<path:object_id>/unmerge/", wrap(model_admin.unmerge_view), name="issues_issue_unmerge"),
    ]


class MergeMixin:
    """For IssueAdmin: its `_visible` (a 404 outside the scope) and `_case_url`."""

    @admin.display(description=gettext_lazy("code"), ordering="short_code")
    def code(self, obj):
        # The queue lists main cases only; their duplicates show here, under the main case's code.
        count, main = getattr(obj, "merged_count", None), getattr(obj, "main_code", None)
        if main:
            return format_html(
                '{}<br><span class="liaison-muted">{}</span>',
                obj.short_code,
                _("merged into %(code)s") % {"code": main},
            )
        if count:
            extra = ngettext("+%(n)d report", "+%(n)d reports", count) % {"n": count}
            return format_html('{}<br><span class="liaison-muted">{}</span>', obj.short_code, extra)
        return obj.short_code

    def merge_view(self, request, object_id):
        """POST `cases`: the ids of the cases to merge into this one."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        main = self._visible(request, object_id)
        ids = request.POST.getlist("cases")
        try:
            issue_merge(actor=Actor.of(request.user), main_id=main.pk, issue_ids=ids)
        except IssueNotFound:
            raise Http404(_("Not found.")) from None
        except IssueError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Merged into %(code)s.") % {"code": main.short_code})
        return redirect(self._case_url(main) + "#merged")

    def unmerge_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._visible(request, object_id)
        try:
            issue_unmerge(actor=Actor.of(request.user), issue_id=case.pk)
        except IssueNotFound:
            raise Http404(_("Not found.")) from None
        except IssueError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(code)s is handled on its own again.") % {"code": case.short_code})
        return redirect(self._case_url(case))

    def has_merge_permission(self, request) -> bool:
        current = scope_of(request.user)
        return current.is_superuser or current.deputy_id is not None or bool(current.staff_station_ids)

    @admin.action(description=gettext_lazy("Merge the selected cases (duplicates) into one"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        cases = list(queryset.select_related("station").order_by("created_at")[:50])
        if len(cases) < 2:
            messages.warning(request, _("Tick at least two cases to merge: the main case and its duplicates."))
            return None
        main_id = request.POST.get("main")
        if "apply" in request.POST:
            if main_id not in {str(case.pk) for case in cases}:
                messages.error(request, _("Choose the main case among the ticked ones."))
            else:
                others = [case.pk for case in cases if str(case.pk) != main_id]
                try:
                    issue_merge(actor=Actor.of(request.user), main_id=int(main_id), issue_ids=others)
                except IssueError as error:  # not found included: the ticks came from this list
                    messages.error(request, error.message)
                else:
                    n = len(others)
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d case merged into the main case.", "%(count)d cases merged into the main case.", n
                        )
                        % {"count": n},
                    )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge duplicate cases"),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": True,
            "cases": cases,
            "selected_ids": [case.pk for case in cases],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/issues/issue/bulk_merge.html", context)
