""" "Me too" (我也遇到) in the case list and on the case page: the count (a column staff may sort
the queue by, most seconded first), and the panel where the station's staff review the
de-identified text and show the open case on the station's public page, or hide it. Writes go
through issues.services.metoo."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues.metoo import call_panel, with_seconded_count
from issues.models import PublicCall
from issues.permissions import Actor, scope_of
from issues.services.metoo import SHOWERS, public_call_hide, public_call_show
from liaison.errors import IssueError, IssueNotFound


class MeTooAdminMixin:
    """For IssueAdmin: it provides `_visible(request, object_id)` and `_case_url(issue)`."""

    @admin.display(description=gettext_lazy("me too"), ordering="-seconded_count")
    def seconded(self, obj):
        return obj.seconded_count or ""

    def with_seconded(self, cases):
        return with_seconded_count(cases)

    def metoo_columns(self, request, columns) -> list[str]:
        """The list's columns, with the count only where the user's stations show any case for
        "me too": elsewhere it would only take room from the content."""
        scope = scope_of(request.user)
        calls = (
            PublicCall.objects.all()
            if scope.is_superuser
            else PublicCall.objects.filter(scope.station_filter("station__"))
        )
        return list(columns) if calls.exists() else [name for name in columns if name != "seconded"]

    def get_list_display(self, request):
        return self.metoo_columns(request, super().get_list_display(request))

    def metoo_urls(self, prefix: str) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/metoo/show/", wrap(self.metoo_show_view), name=f"{prefix}_metoo_show"),
            path("<path:object_id>/metoo/hide/", wrap(self.metoo_hide_view), name=f"{prefix}_metoo_hide"),
        ]

    def metoo_context(self, request, issue) -> dict:
        may_show = bool(scope_of(request.user).roles_for(issue) & SHOWERS)
        return {"metoo": call_panel(issue, may_show=may_show), "may_show_metoo": may_show}

    def metoo_show_view(self, request, object_id):
        return self._metoo_write(request, object_id, show=True)

    def metoo_hide_view(self, request, object_id):
        return self._metoo_write(request, object_id, show=False)

    def _metoo_write(self, request, object_id, *, show: bool):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = self._visible(request, object_id)
        actor = Actor.of(request.user)
        try:
            if show:
                public_call_show(actor=actor, issue_id=issue.pk, text=request.POST.get("text", ""))
            else:
                public_call_hide(actor=actor, issue_id=issue.pk)
        except IssueNotFound:
            raise Http404(_("Not found.")) from None
        except IssueError as error:
            messages.error(request, error.message)
        else:
            done = (
                _("Shown on the station's page for “me too”.") if show else _("No longer shown on the station's page.")
            )
            messages.success(request, done)
        return redirect(self._case_url(issue) + "#metoo")
